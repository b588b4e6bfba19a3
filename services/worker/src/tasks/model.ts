import type { EvidenceOptionsInput, LngLat } from '../evidence';

/**
 * The api's operations model as task generation reads it (services/api/src/resources/definitions): only the
 * fields generation needs, geometry already parsed from its stored JSON text.
 */
export interface ContractRow {
  _id: string;
  operatorId: string;
  agencyId: string;
  serviceLines: string[];
  startDate: string;
  endDate: string;
  /** Per-contract thresholds (optional; defaults apply): evidence options and alarm rules. */
  rules?: { evidence?: EvidenceOptionsInput; alarms?: Record<string, unknown> };
}
export interface ZoneRow {
  _id: string;
  contractId: string;
  parentId?: string;
  geometry: { type: 'Polygon'; coordinates: LngLat[][] };
}
export interface RouteRow {
  _id: string;
  contractId: string;
  serviceLine: string;
  zoneId?: string;
  passesPerDay: number;
  requiredOperation: 'sweep' | 'spray' | 'lift' | 'none';
  geometry: { type: 'LineString'; coordinates: LngLat[] };
}
export interface SiteRow {
  _id: string;
  contractId: string;
  kind: 'collection_point' | 'checkpoint' | 'green_area';
  zoneId?: string;
  geometry: { type: 'Point'; coordinates: LngLat } | { type: 'Polygon'; coordinates: LngLat[][] };
}
export interface TeamRow {
  _id: string;
  contractId: string;
  serviceLine: string;
}
export interface VehicleRow {
  _id: string;
  contractId: string;
  type: string;
  teamId?: string;
}
export interface WorkerRow {
  _id: string;
  contractId: string;
  teamId?: string;
}
export interface DeviceRow {
  _id: string;
  kind: 'gps' | 'badge';
  contractId: string;
  vehicleId?: string;
  workerId?: string;
  enabled?: boolean;
}
export interface ShiftRow {
  _id: string;
  contractId: string;
  name?: string;
  assigneeType: 'worker' | 'team' | 'vehicle';
  assigneeId: string;
  targetType: 'zone' | 'route';
  targetId: string;
  days: number[];
  start: string;
  end: string;
  validFrom: string;
  validTo?: string;
  graceMinutes?: number;
  /** Optional overrides (additive to the api's shift): the service line, and passes instead of the route's. */
  serviceLine?: string;
  passes?: number;
  /** Greening: whether completion needs a photo (default true for green areas). */
  photoRequired?: boolean;
}

export interface OperationsModel {
  contracts: ContractRow[];
  zones: ZoneRow[];
  routes: RouteRow[];
  sites: SiteRow[];
  teams: TeamRow[];
  vehicles: VehicleRow[];
  workers: WorkerRow[];
  devices: DeviceRow[];
  shifts: ShiftRow[];
}

/** The api's service-line names; domain events use `sorting` for `waste_sorting`. */
export type ApiServiceLine = 'sanitation' | 'greening' | 'patrol' | 'waste_sorting';
