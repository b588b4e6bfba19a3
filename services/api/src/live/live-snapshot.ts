import type { OperatingEquipment } from '@dwg/contracts';
import { deriveStatus, type LiveStatusName, type StatusOptions } from './live-status';

/** Stored shapes the snapshot reads (only the fields it needs). */
export interface DeviceRow {
  _id: string;
  kind: 'gps' | 'badge';
  contractId: string;
  operatorId: string;
  agencyId: string;
  vehicleId?: string;
  workerId?: string;
  label?: string;
  enabled?: boolean;
}
export interface VehicleRow {
  _id: string;
  plate: string;
  type?: string;
  teamId?: string;
}
export interface WorkerRow {
  _id: string;
  name: string;
  employeeNo?: string;
  teamId?: string;
}
export interface DeviceStateRow {
  _id: string;
  lastSeenAt?: Date;
  last?: {
    ts: Date;
    loc?: { coordinates: [number, number] };
    spd?: number;
    hdg?: number;
    bat?: number;
    ops?: OperatingEquipment;
  };
  status?: { at: Date; online: boolean };
}

export interface LiveItem {
  /** = deviceId (react-admin wants an id). */
  id: string;
  deviceId: string;
  kind: 'gps' | 'badge';
  subject: { type: 'vehicle' | 'worker'; id: string; name: string } | null;
  contractId: string;
  zoneId: string | null;
  teamId: string | null;
  position: { lng: number; lat: number } | null;
  speed: number | null;
  heading: number | null;
  battery: number | null;
  ops: OperatingEquipment | null;
  fixAt: string | null;
  lastSeenAt: string | null;
  status: LiveStatusName;
  taskId: string | null;
  openAlarms: number;
}

export interface SnapshotInputs {
  devices: DeviceRow[];
  vehicles: Map<string, VehicleRow>;
  workers: Map<string, WorkerRow>;
  states: Map<string, DeviceStateRow>;
  /** Current task per device id (and per subject id): its id and zone. */
  tasks: Map<string, { taskId: string; zoneId: string | null }>;
  /** Open (not closed) alarms per device id and per subject id. */
  alarms: Map<string, number>;
  /** Zone of a subject's (or its team's) shift, when no task names one. */
  shiftZones: Map<string, string>;
}

/** Joins the stored pieces into one row per device (FerretDB v1 has no $lookup: the join happens here). */
export function assembleSnapshot(i: SnapshotInputs, now: number, o: StatusOptions): LiveItem[] {
  return i.devices.map((d) => {
    const v = d.vehicleId ? i.vehicles.get(d.vehicleId) : undefined;
    const w = d.workerId ? i.workers.get(d.workerId) : undefined;
    const subject = v
      ? { type: 'vehicle' as const, id: v._id, name: v.plate }
      : w
        ? { type: 'worker' as const, id: w._id, name: w.name }
        : null;
    const teamId = v?.teamId ?? w?.teamId ?? null;
    const s = i.states.get(d._id);
    const last = s?.last;
    const task = i.tasks.get(d._id) ?? (subject ? i.tasks.get(subject.id) : undefined);
    const openAlarms = (i.alarms.get(d._id) ?? 0) + (subject ? (i.alarms.get(subject.id) ?? 0) : 0);
    const zoneId =
      task?.zoneId ??
      (subject ? i.shiftZones.get(subject.id) : undefined) ??
      (teamId ? i.shiftZones.get(teamId) : undefined) ??
      null;
    const lastSeenAt = s?.lastSeenAt ?? null;
    const status = deriveStatus(
      {
        lastSeenAt: lastSeenAt ? lastSeenAt.getTime() : null,
        lastFixAt: last ? last.ts.getTime() : null,
        reported: s?.status ? { online: s.status.online, at: s.status.at.getTime() } : null,
        spd: last?.spd,
        ops: last?.ops,
        openAlarms,
      },
      now,
      o,
    );
    const c = last?.loc?.coordinates;
    return {
      id: d._id,
      deviceId: d._id,
      kind: d.kind,
      subject,
      contractId: d.contractId,
      zoneId,
      teamId,
      position: c ? { lng: c[0], lat: c[1] } : null,
      speed: last?.spd ?? null,
      heading: last?.hdg ?? null,
      battery: last?.bat ?? null,
      ops: last?.ops ?? null,
      fixAt: last ? last.ts.toISOString() : null,
      lastSeenAt: lastSeenAt ? lastSeenAt.toISOString() : null,
      status,
      taskId: task?.taskId ?? null,
      openAlarms,
    };
  });
}

/** Stored task documents of the worker (EvidenceTask: `subjects` are device ids), tolerant of later fields. */
export interface TaskRow {
  _id: string;
  id?: string;
  subjects?: string[];
  deviceIds?: string[];
  subjectIds?: string[];
  zoneId?: string | null;
  windowStart?: number | Date;
}

/** Current task per device / subject id: the one that started last wins when windows overlap. */
export function currentTasks(rows: TaskRow[]): Map<string, { taskId: string; zoneId: string | null }> {
  const sorted = [...rows].sort((a, b) => Number(a.windowStart ?? 0) - Number(b.windowStart ?? 0));
  const out = new Map<string, { taskId: string; zoneId: string | null }>();
  for (const t of sorted) {
    const v = { taskId: String(t.id ?? t._id), zoneId: t.zoneId ?? null };
    for (const k of [...(t.subjects ?? []), ...(t.deviceIds ?? []), ...(t.subjectIds ?? [])]) out.set(k, v);
  }
  return out;
}

/** Alarm documents (AlarmChanged-shaped): open ones counted per device and per subject. */
export interface AlarmRow {
  deviceId?: string | null;
  subjectId?: string | null;
  subjectKind?: string;
}

export function countAlarms(rows: AlarmRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of rows) {
    // A device's alarm names the device and (usually) its vehicle or worker: count it once, on the device.
    const key =
      a.deviceId ?? (a.subjectKind === 'vehicle' || a.subjectKind === 'worker' ? a.subjectId : null);
    if (key) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
