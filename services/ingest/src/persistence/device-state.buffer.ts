import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import type { TelemetryPoint } from '@dwg/contracts';
import { COLLECTIONS, bulkWriteInCommands } from '@dwg/persistence';
import type { Batch } from '../pipeline/batch';

interface DeviceStateDoc extends Document {
  _id: string;
}

interface Pending {
  seenAt: Date;
  last?: TelemetryPoint;
  status?: { at: Date; online: boolean };
}

/**
 * Delay before the next state flush. Under load the database is the bottleneck, and on FerretDB/SQLite each upsert
 * costs about as much as inserting a hundred records; so the state gets at most `dbShare` of the database's time:
 * a flush that took `lastMs` is followed by a pause of lastMs × (1 − share) / share. Idle, that is the base period.
 * The buffer keeps one entry per device, so a longer pause coarsens the state without growing memory.
 */
export function nextFlushDelay(baseMs: number, lastMs: number, dbShare: number): number {
  return Math.max(baseMs, Math.round((lastMs * (1 - dbShare)) / dbShare));
}

/**
 * Last known state per device (position, speed, battery, online), written at most once per device per flush rather
 * than once per batch. Every field is written with $max, so the newest value wins whatever the order of writes,
 * replays or instances: `last` is a document whose first field is the record time, and $max compares documents
 * field by field. The telemetry itself is durable before this runs; after a crash the state catches up with the
 * device's next record.
 */
export class DeviceStateBuffer {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly flushEveryMs: number,
    private readonly onError: (e: unknown) => void,
    private readonly dbShare = 0.1,
  ) {}

  start(): void {
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        const t0 = Date.now();
        void this.flush().then(() => {
          if (this.timer) tick(nextFlushDelay(this.flushEveryMs, Date.now() - t0, this.dbShare));
        });
      }, delay);
    };
    tick(this.flushEveryMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  merge(batch: Batch): void {
    for (const [deviceId, seenAt] of batch.lastSeen) {
      const p = this.entry(deviceId, seenAt);
      if (p.seenAt < seenAt) p.seenAt = seenAt;
    }
    for (const [deviceId, point] of batch.latest) {
      const p = this.entry(deviceId, point.receivedAt);
      if (!p.last || p.last.ts < point.ts) p.last = point;
    }
    for (const s of batch.statuses) {
      const p = this.entry(s.deviceId, s.at);
      if (!p.status || p.status.at <= s.at) p.status = { at: s.at, online: s.status === 'online' };
    }
  }

  /** Writes what has accumulated; one flush at a time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((e) => this.onError(e));
    return this.flushing;
  }

  private entry(deviceId: string, seenAt: Date): Pending {
    let p = this.pending.get(deviceId);
    if (!p) {
      p = { seenAt };
      this.pending.set(deviceId, p);
    }
    return p;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const items = [...this.pending];
    this.pending = new Map();
    const ops: AnyBulkWriteOperation<DeviceStateDoc>[] = items.map(([deviceId, p]) => {
      const max: Document = { lastSeenAt: p.seenAt };
      if (p.last) max.last = lastState(p.last);
      if (p.status) max.status = p.status;
      return {
        updateOne: {
          filter: { _id: deviceId },
          update: { $max: max, $setOnInsert: { firstSeenAt: p.seenAt } },
          upsert: true,
        },
      };
    });
    const col = this.db.collection<DeviceStateDoc>(COLLECTIONS.deviceState);
    try {
      await bulkWriteInCommands(col, ops);
    } catch (e) {
      // Put back what may not have been written; $max makes writing it twice harmless.
      for (const [id, p] of items) if (!this.pending.has(id)) this.pending.set(id, p);
      throw e;
    }
  }
}

/** `ts` first: $max on the document then keeps the newest fix. */
function lastState(p: TelemetryPoint): Document {
  const s: Document = { ts: p.ts, kind: p.kind, seq: p.seq, loc: p.loc };
  for (const k of ['spd', 'hdg', 'acc', 'ign', 'ops', 'bat', 'evt'] as const) {
    if (p[k] !== undefined) s[k] = p[k];
  }
  return s;
}
