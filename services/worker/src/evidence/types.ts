/**
 * The evidence engine's own input and state types. They are deliberately independent of the API's data model
 * (contracts, routes, shifts…): task generation maps that model onto these shapes, so the engine stays pure.
 */

/** GeoJSON order: [longitude, latitude], WGS-84. */
export type LngLat = [number, number];
export type Operation = 'sweep' | 'spray' | 'lift';

/** One telemetry record as the engine sees it (epoch-ms times, plain coordinates). */
export interface EvidencePoint {
  deviceId: string;
  ts: number;
  lng: number;
  lat: number;
  spd?: number;
  acc?: number;
  ops?: { sweep?: boolean; spray?: boolean; lift?: boolean };
  evt?: 'hb' | 'in' | 'out' | 'sos';
  /** Badge battery (%), for the low-battery alarm; the evidence engine ignores it. */
  bat?: number;
}

/** Sweep or wash a route: every part of it, with the operation on, `passes` times in the window. */
export interface RouteSpec {
  type: 'route';
  routeId: string;
  line: LngLat[];
  /** Equipment that must be on; null when driving the route is enough (e.g. a patrol vehicle). */
  operation: Operation | null;
  passes: number;
  bufferM?: number;
  maxSpeedKmh?: number;
}

export interface SiteSpec {
  id: string;
  at: LngLat;
  radiusM?: number;
  dwellS?: number;
}

/** Patrol checkpoints or collection points; collection points need the lift on near the point. */
export interface SitesSpec {
  type: 'sites';
  sites: SiteSpec[];
  requireLift?: boolean;
  /** Visits required per site in the window. */
  rounds?: number;
}

/** Greening work in an area: presence inside the polygon for a minimum time. */
export interface AreaSpec {
  type: 'area';
  /** Polygon rings (exterior first), closed. */
  polygon: LngLat[][];
  minDurationMin?: number;
}

/** A worker's shift in a zone: attendance (arrival by start + grace) and on-post time with off-post episodes. */
export interface PostSpec {
  type: 'post';
  zone: LngLat[][];
}

/** A vehicle scheduled for a shift: did it report during it. */
export interface OnlineSpec {
  type: 'online';
}

export type TaskSpec = RouteSpec | SitesSpec | AreaSpec | PostSpec | OnlineSpec;
export type TaskType = TaskSpec['type'];

/** One unit of scheduled work with the devices whose records count as its evidence. */
export interface EvidenceTask<S extends TaskSpec = TaskSpec> {
  id: string;
  /** Service day the task belongs to (YYYY-MM-DD, local), for grouping and KPIs. */
  day: string;
  /** [windowStart, windowEnd) in epoch ms: the shift or the plan's window. */
  windowStart: number;
  windowEnd: number;
  /** Device ids (vehicle terminals or badges) assigned to the task. */
  subjects: string[];
  spec: S;
  /** Per-contract overrides of the thresholds. */
  options?: EvidenceOptionsInput;
  /** Bumped by task generation when the task changes, so compiled geometry is rebuilt. */
  version?: number;
}

export interface EvidenceOptions {
  coverage: {
    /** Length of one route cell. */
    cellM: number;
    /** A point covers the cells within this distance. */
    bufferM: number;
    /** A cell visited again after this many minutes without a hit counts a new pass. */
    passGapMin: number;
    /** Speed limit of each operation (km/h); `none` for routes without one. */
    maxSpeedKmh: Record<Operation | 'none', number>;
    /** Fixes less accurate than this are ignored. */
    maxAccM: number;
    /** Coverage at which the route counts as done. */
    doneShare: number;
  };
  sites: { radiusM: number; dwellS: number; slotS: number; maxGapS: number };
  area: { slotS: number; maxGapS: number; minDurationMin: number };
  post: {
    graceMin: number;
    /** Records this long before the shift count for arrival (a worker may clock in early). */
    earlyMin: number;
    /** Outside the zone longer than this is one off-post episode (离岗). */
    offPostMin: number;
    slotS: number;
    /** One observation stands for at most this long (a silent badge is unknown, not on post). */
    maxCarryS: number;
  };
  online: { slotS: number };
}

export type EvidenceOptionsInput = { [K in keyof EvidenceOptions]?: Partial<EvidenceOptions[K]> };

/**
 * Additive evidence from some records: values to add to sets, and times to fold with min/max. Every part is
 * commutative and idempotent, so deltas from batches in any order, late ones and replays, give the same state.
 */
export interface EvidenceDelta {
  taskId: string;
  day: string;
  type: TaskType;
  /** Dotted path → values for $addToSet. */
  add: Record<string, number[]>;
  min: Record<string, number>;
  max: Record<string, number>;
}

/**
 * Evidence state of one task, one document per task (a task is already per day). Sets hold slot numbers:
 * epoch time divided by the slot length of that kind of evidence.
 */
export interface EvidenceDoc {
  _id: string;
  taskId: string;
  day: string;
  type: TaskType;
  rev?: number;
  firstTs?: number;
  lastTs?: number;
  /** route: per cell (`c<index>`), the epoch minutes with a valid hit. */
  cells?: Record<string, number[]>;
  /** sites: per site (`s<index>`), the slots with the device within radius (and lift on when required). */
  sites?: Record<string, number[]>;
  /** area / post: slots with a point inside (outside) the polygon. */
  inside?: number[];
  outside?: number[];
  clockInTs?: number;
  firstInsideTs?: number;
  clockOutTs?: number;
  /** online: slots with any record. */
  slots?: number[];
  summary?: unknown;
  summaryRev?: number;
}
