/**
 * Domain events between services: what changed in a task, an alarm or a work order, as a full snapshot of the
 * fields the KPIs and the other loops need. Producers publish one BullMQ job per change on QUEUES.domainEvents
 * with job id `${name}:${id}:${rev}`, so a replayed change is not published twice; consumers key their own
 * state by id and keep only the highest rev, so a replay or an out-of-order delivery changes nothing.
 */

/** The contract's four service lines (市容环卫, 绿化养护, 综合巡查, 垃圾分类). */
export type ServiceLine = 'sanitation' | 'greening' | 'patrol' | 'sorting';
export const SERVICE_LINES: readonly ServiceLine[] = ['sanitation', 'greening', 'patrol', 'sorting'];

/** Where a change counts in the KPIs: contract × zone × service line × service day (YYYY-MM-DD, Asia/Shanghai). */
export interface KpiKey {
  tenantId: string;
  contractId: string;
  zoneId: string | null;
  serviceLine: ServiceLine;
  day: string;
}

export type TaskStatus = 'pending' | 'in_progress' | 'completed' | 'partial' | 'missed';

export interface TaskChanged extends KpiKey {
  taskId: string;
  rev: number;
  /** Evidence task type: route, sites (checkpoints / collection points), area, post (worker shift), online (vehicle). */
  type: 'route' | 'sites' | 'area' | 'post' | 'online';
  status: TaskStatus;
  /** True once the window has ended and the status is final (completed, partial or missed). */
  final: boolean;
  subjectKind: 'vehicle' | 'worker' | 'team';
  subjectIds: string[];
  deviceIds: string[];
  windowStart: string;
  windowEnd: string;
  /** Completed before the window's end. */
  onTime?: boolean;
  metrics: {
    routeLengthM?: number;
    coveredLengthM?: number;
    coverage?: number;
    sitesRequired?: number;
    sitesVisited?: number;
    /** post: clocked in inside the zone by start + grace. */
    attended?: boolean;
    shiftMin?: number;
    onPostMin?: number;
    offPostEpisodes?: number;
    /** online / post: the device reported at least once during the window. */
    reported?: boolean;
    onlineMin?: number;
    presenceMin?: number;
  };
  changedAt: string;
}

export type AlarmType =
  | 'zone_exit'
  | 'overspeed'
  | 'stopped_too_long'
  | 'off_post'
  | 'device_offline'
  | 'sos'
  | 'low_battery'
  | 'route_missed'
  | 'badge_in_vehicle'
  | 'bin_overflow';
export type AlarmStatus = 'open' | 'acknowledged' | 'closed';

export interface AlarmChanged extends KpiKey {
  alarmId: string;
  rev: number;
  type: AlarmType;
  status: AlarmStatus;
  deviceId: string | null;
  subjectKind: 'vehicle' | 'worker' | 'task' | 'site';
  subjectId: string;
  taskId: string | null;
  /** [lng, lat] where the condition was seen, when known. */
  at: [number, number] | null;
  openedAt: string;
  closedAt: string | null;
  message: string;
  changedAt: string;
  /** When the condition stopped holding (the alarm stays open until a person closes it). */
  clearedAt?: string | null;
  acknowledgedAt?: string | null;
  /** Who acknowledged / closed it, with their comment. */
  acknowledgedBy?: string | null;
  closedBy?: string | null;
  comment?: string | null;
}

export type WorkOrderState =
  | 'reported'
  | 'screening'
  | 'dispatched'
  | 'accepted'
  | 'in_progress'
  | 'resolved'
  | 'closed'
  | 'rejected'
  | 'merged';

export interface WorkOrderChanged extends KpiKey {
  workOrderId: string;
  rev: number;
  category: string;
  state: WorkOrderState;
  source: 'resident' | 'staff' | 'alarm' | 'open311';
  reportedAt: string;
  dispatchedAt: string | null;
  closedAt: string | null;
  /** Working-time deadlines (ISO) and whether each card has fired. */
  dueAt: string | null;
  yellowCard: boolean;
  redCard: boolean;
  /** Closed: was the problem actually fixed (closed ≠ fixed). */
  fixed: boolean | null;
  /** Closed before dueAt. */
  onTime: boolean | null;
  handlingMs: number | null;
  reopenedCount: number;
  /** Reporter's rating 1–5 after close. */
  rating: number | null;
  alarmId: string | null;
  /** Ids of the report's and the result's photos (GET /api/work-orders/:id/photos/:photoId), for evidence links. */
  photoIds?: string[];
  changedAt: string;
  /** Second deadline (red card), ISO; null while unknown (screening, an open calendar pause). */
  redDueAt?: string | null;
  /** Bumped whenever dueAt/redDueAt are recomputed: deadline timers are keyed by it. */
  deadlineVersion?: number;
  teamId?: string | null;
}

export const DOMAIN_EVENTS = {
  taskChanged: 'task-changed',
  alarmChanged: 'alarm-changed',
  workOrderChanged: 'work-order-changed',
} as const;

export type DomainEventName = (typeof DOMAIN_EVENTS)[keyof typeof DOMAIN_EVENTS];

export interface DomainEventPayloads {
  'task-changed': TaskChanged;
  'alarm-changed': AlarmChanged;
  'work-order-changed': WorkOrderChanged;
}

/** BullMQ job id of a change: stable per (event, entity, rev). BullMQ rejects custom ids with ':' in some forms, so '|' separates. */
export function domainEventJobId(name: DomainEventName, id: string, rev: number): string {
  return `${name}|${id}|${rev}`;
}
