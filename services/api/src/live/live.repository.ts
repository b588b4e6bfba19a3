import type { Db, Document, Filter } from 'mongodb';
import { COLLECTIONS } from '@dwg/persistence';
import type {
  AlarmRow,
  DeviceRow,
  DeviceStateRow,
  SnapshotInputs,
  TaskRow,
  VehicleRow,
  WorkerRow,
} from './live-snapshot';
import { countAlarms, currentTasks } from './live-snapshot';
import type { TrackPoint } from './track';

/** Written by the worker (issue 4a); read here when present, an absent collection simply reads empty. */
export const TASKS_COLLECTION = 'tasks';
export const ALARMS_COLLECTION = 'alarms';
export const UNCLOSED_ALARM = ['open', 'acknowledged'];

const DEVICE_FIELDS = {
  _id: 1,
  kind: 1,
  contractId: 1,
  operatorId: 1,
  agencyId: 1,
  vehicleId: 1,
  workerId: 1,
  label: 1,
  enabled: 1,
};

/** The only code of the live path that touches collections: plain finds by id and index, joined in TypeScript. */
export class LiveRepository {
  constructor(private readonly db: Db) {}

  devices(scope: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<DeviceRow[]> {
    const filter = { ...extra, ...scope } as Filter<Document>;
    return this.db
      .collection(COLLECTIONS.devices)
      .find(filter, { projection: DEVICE_FIELDS })
      .toArray() as unknown as Promise<DeviceRow[]>;
  }

  async device(id: string, scope: Record<string, unknown>): Promise<DeviceRow | null> {
    const [d] = await this.devices(scope, { _id: id });
    return d ?? null;
  }

  async contracts(): Promise<{ _id: string; operatorId: string; agencyId: string }[]> {
    return (await this.db
      .collection(COLLECTIONS.contracts)
      .find({}, { projection: { _id: 1, operatorId: 1, agencyId: 1 } })
      .toArray()) as unknown as { _id: string; operatorId: string; agencyId: string }[];
  }

  async snapshotInputs(
    devices: DeviceRow[],
    scope: Record<string, unknown>,
    now: number,
  ): Promise<SnapshotInputs> {
    const ids = devices.map((d) => d._id);
    const vehicleIds = devices.flatMap((d) => (d.vehicleId ? [d.vehicleId] : []));
    const workerIds = devices.flatMap((d) => (d.workerId ? [d.workerId] : []));
    const byId = <T extends { _id: string }>(rows: T[]) => new Map(rows.map((r) => [r._id, r]));
    const [vehicles, workers, states, tasks, alarms, shifts] = await Promise.all([
      this.find<VehicleRow>(
        COLLECTIONS.vehicles,
        { _id: { $in: vehicleIds } },
        { plate: 1, type: 1, teamId: 1 },
      ),
      this.find<WorkerRow>(
        COLLECTIONS.workers,
        { _id: { $in: workerIds } },
        { name: 1, employeeNo: 1, teamId: 1 },
      ),
      this.find<DeviceStateRow>(
        COLLECTIONS.deviceState,
        { _id: { $in: ids } },
        {
          lastSeenAt: 1,
          last: 1,
          status: 1,
        },
      ),
      this.currentTaskRows(now),
      this.find<AlarmRow>(
        ALARMS_COLLECTION,
        {
          status: { $in: UNCLOSED_ALARM },
          $or: [{ deviceId: { $in: ids } }, { subjectId: { $in: [...vehicleIds, ...workerIds] } }],
        },
        { deviceId: 1, subjectId: 1, subjectKind: 1 },
      ),
      this.find<{ assigneeId: string; targetId: string }>(
        COLLECTIONS.shifts,
        { ...scope, targetType: 'zone' },
        { assigneeId: 1, targetId: 1 },
      ),
    ]);
    const shiftZones = new Map<string, string>();
    for (const s of shifts) if (!shiftZones.has(s.assigneeId)) shiftZones.set(s.assigneeId, s.targetId);
    return {
      devices,
      vehicles: byId(vehicles),
      workers: byId(workers),
      states: byId(states),
      tasks: currentTasks(tasks),
      alarms: countAlarms(alarms),
      shiftZones,
    };
  }

  /** Unclosed alarm counts per device (and subject), for the stream's status. */
  async openAlarms(): Promise<Map<string, number>> {
    return countAlarms(
      await this.find<AlarmRow>(
        ALARMS_COLLECTION,
        { status: { $in: UNCLOSED_ALARM } },
        { deviceId: 1, subjectId: 1, subjectKind: 1 },
      ),
    );
  }

  /** Alarms changed at or after `since`, oldest first (`changedAt` as ISO text like AlarmChanged, or a Date). */
  alarmsChangedSince(since: string): Promise<Document[]> {
    return this.db
      .collection(ALARMS_COLLECTION)
      .find({ $or: [{ changedAt: { $gte: since } }, { changedAt: { $gte: new Date(since) } }] })
      .sort({ changedAt: 1 })
      .limit(500)
      .toArray();
  }

  /** Tasks whose window contains now (the worker stores epoch ms; Dates are accepted too). */
  private currentTaskRows(now: number): Promise<TaskRow[]> {
    const at = new Date(now);
    return this.find<TaskRow>(
      TASKS_COLLECTION,
      {
        $or: [
          { windowStart: { $lte: now }, windowEnd: { $gt: now } },
          { windowStart: { $lte: at }, windowEnd: { $gt: at } },
        ],
      },
      { id: 1, subjects: 1, deviceIds: 1, subjectIds: 1, zoneId: 1, windowStart: 1 },
    );
  }

  /** One device's fixes in [from, to], time order (index (deviceId, ts)); at most `limit`. */
  async track(deviceId: string, from: Date, to: Date, limit: number): Promise<TrackPoint[]> {
    const rows = await this.db
      .collection(COLLECTIONS.telemetry)
      .find(
        { deviceId, ts: { $gte: from, $lte: to } },
        { projection: { _id: 0, ts: 1, loc: 1, spd: 1 }, sort: { ts: 1 }, limit },
      )
      .toArray();
    return rows.map((r) => {
      const [lng, lat] = (r.loc as { coordinates: [number, number] }).coordinates;
      const p: TrackPoint = { ts: (r.ts as Date).getTime(), lng, lat };
      if (typeof r.spd === 'number') p.spd = r.spd;
      return p;
    });
  }

  private find<T>(collection: string, filter: Record<string, unknown>, projection: Document): Promise<T[]> {
    return this.db
      .collection(collection)
      .find(filter as Filter<Document>, { projection })
      .toArray() as unknown as Promise<T[]>;
  }
}
