/** Enumerations of the operations model (see docs/api.md). */
export const SERVICE_LINES = ['sanitation', 'greening', 'patrol', 'waste_sorting'] as const;
export type ServiceLine = (typeof SERVICE_LINES)[number];

export const ZONE_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type ZoneLevel = (typeof ZONE_LEVELS)[number];

export const AGENCY_LEVELS = ['district', 'street'] as const;

export const OPERATIONS = ['sweep', 'spray', 'lift', 'none'] as const;

export const SITE_KINDS = ['collection_point', 'checkpoint', 'green_area'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];
/** The service line a site serves: its contract must include it. */
export const SITE_SERVICE_LINE: Record<SiteKind, ServiceLine> = {
  collection_point: 'waste_sorting',
  checkpoint: 'patrol',
  green_area: 'greening',
};

export const VEHICLE_TYPES = [
  'sweeper',
  'washer',
  'sprinkler',
  'compactor_truck',
  'patrol_car',
  'pickup',
] as const;
export const WORKER_ROLES = [
  'sweeper',
  'gardener',
  'patroller',
  'sorter',
  'driver',
  'butler',
  'team_leader',
] as const;

export const ASSIGNEE_TYPES = ['worker', 'team', 'vehicle'] as const;
export const TARGET_TYPES = ['zone', 'route'] as const;

export const KPI_NAMES = [
  'coverageRate',
  'attendanceRate',
  'onPostRate',
  'onlineRate',
  'workOrderOnTimeRate',
] as const;

export const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
