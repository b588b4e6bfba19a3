import type { WorkOrderState } from '@dwg/contracts';

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
  photos: WorkOrderPhoto[];
  history: HistoryEntry[];
  createdAt: Date;
  updatedAt: Date;
}
