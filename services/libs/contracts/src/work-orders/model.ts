import type { ServiceLine, WorkOrderChanged, WorkOrderState } from '../domain-events';

/** A work order as stored in `work_orders`. Points are {lng,lat} objects (FerretDB v1 stores no nested arrays). */
export interface WorkOrderPhoto {
  id: string;
  kind: 'report' | 'result';
  contentType: string;
  size: number;
  filename: string;
  takenAt: string | null;
  lng: number | null;
  lat: number | null;
  uploadedAt: string;
  uploadedBy: string;
}

export interface HistoryEntry {
  at: string;
  action: string;
  by: { id: string; username: string; role: string };
  from: WorkOrderState | null;
  to: WorkOrderState;
  note?: string;
}

export interface WorkOrderDoc {
  _id: string;
  rev: number;
  category: string;
  categoryKnown: boolean;
  description: string;
  location: { lng: number; lat: number };
  address?: string | null;
  state: WorkOrderState;
  source: 'resident' | 'staff' | 'alarm' | 'open311';
  reporter: {
    kind: 'user' | 'open311' | 'alarm';
    userId?: string;
    username?: string;
    integrationId?: string;
    contact?: Record<string, string>;
  };
  /** Open311 token handed to the submitter. */
  token?: string | null;
  mediaUrl?: string | null;
  contractId: string | null;
  operatorId: string | null;
  agencyId: string | null;
  zoneId: string | null;
  zoneChain: string[];
  serviceLine: string | null;
  teamId: string | null;
  routingReason: string;
  reportedAt: string;
  dispatchedAt?: string | null;
  acceptedAt?: string | null;
  startedAt?: string | null;
  resolvedAt?: string | null;
  closedAt?: string | null;
  dueAt?: string | null;
  redDueAt?: string | null;
  deadlineVersion: number;
  yellowCardAt?: string | null;
  redCardAt?: string | null;
  fixed?: boolean | null;
  closeComment?: string | null;
  rating?: number | null;
  ratingComment?: string | null;
  reopenedCount: number;
  mergedInto?: string | null;
  mergedFrom: string[];
  rejectReason?: string | null;
  rejectKind?: string | null;
  /** Close-out check of the last resolve; `flagged` tells the verifier to look closely. */
  closeOut?: {
    ok: boolean;
    problems: string[];
    evidence: Record<string, unknown>;
    badgeTrack: { deviceId: string; ts: string; lng: number; lat: number }[];
  } | null;
  flagged: boolean;
  alarmId?: string | null;
  /** False when an alarm carried no position and none could be derived (location is then 0,0). */
  locationKnown?: boolean;
  photos: WorkOrderPhoto[];
  history: HistoryEntry[];
  createdAt: Date;
  updatedAt: Date;
}

const LINE: Record<string, ServiceLine> = {
  sanitation: 'sanitation',
  greening: 'greening',
  patrol: 'patrol',
  waste_sorting: 'sorting',
};

/** The operations model's service line from the KPI key's ('sorting' is 'waste_sorting' in contracts). */
export function contractServiceLine(l: ServiceLine): string {
  return l === 'sorting' ? 'waste_sorting' : l;
}

/** Service day (Asia/Shanghai) of an instant. */
export function serviceDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The WorkOrderChanged snapshot of a stored order (published by the api and by the worker's timers). */
export function workOrderChanged(o: WorkOrderDoc, now = new Date()): WorkOrderChanged {
  const closed = o.state === 'closed' ? (o.closedAt ?? null) : null;
  return {
    tenantId: o.operatorId ?? '',
    contractId: o.contractId ?? '',
    zoneId: o.zoneId ?? null,
    serviceLine: LINE[o.serviceLine ?? ''] ?? 'patrol',
    day: serviceDay(o.reportedAt),
    workOrderId: o._id,
    rev: o.rev,
    category: o.category,
    state: o.state,
    source: o.source,
    reportedAt: o.reportedAt,
    dispatchedAt: o.dispatchedAt ?? null,
    closedAt: o.closedAt ?? null,
    dueAt: o.dueAt ?? null,
    yellowCard: !!o.yellowCardAt,
    redCard: !!o.redCardAt,
    fixed: o.fixed ?? null,
    onTime: closed && o.dueAt ? Date.parse(closed) <= Date.parse(o.dueAt) : null,
    handlingMs: closed && o.dispatchedAt ? Date.parse(closed) - Date.parse(o.dispatchedAt) : null,
    reopenedCount: o.reopenedCount ?? 0,
    rating: o.rating ?? null,
    alarmId: o.alarmId ?? null,
    changedAt: now.toISOString(),
    redDueAt: o.redDueAt ?? null,
    deadlineVersion: o.deadlineVersion ?? 0,
    teamId: o.teamId ?? null,
  };
}
