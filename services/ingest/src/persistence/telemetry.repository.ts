import { MongoBulkWriteError, type AnyBulkWriteOperation, type Db, type Document } from 'mongodb';
import type { TelemetryPoint } from '@dwg/contracts';
import { COLLECTIONS, DUPLICATE_KEY } from '@dwg/persistence';
import type { Batch } from '../pipeline/batch';

/** Last known state of a device, keyed by its id. */
interface DeviceStateDoc extends Document {
  _id: string;
}

export interface WriteResult {
  inserted: number;
  duplicates: number;
  deadLetters: number;
}

/**
 * The ingest hot path writes through the driver in unordered batches: the unique index on (deviceId, seq, ts)
 * absorbs redeliveries, so a batch replayed after a crash stores nothing twice.
 */
export class TelemetryRepository {
  constructor(private readonly db: Db) {}

  async write(batch: Batch): Promise<WriteResult> {
    const [points, dead] = await Promise.all([
      insertIgnoringDuplicates(this.db, COLLECTIONS.telemetry, batch.points),
      insertIgnoringDuplicates(this.db, COLLECTIONS.deadLetters, batch.deadLetters),
    ]);
    await this.updateDeviceState(batch);
    return { inserted: points.inserted, duplicates: points.duplicates, deadLetters: dead.inserted };
  }

  private async updateDeviceState(batch: Batch): Promise<void> {
    const ops: AnyBulkWriteOperation<DeviceStateDoc>[] = [];
    for (const [deviceId, seenAt] of batch.lastSeen) {
      ops.push({
        updateOne: {
          filter: { _id: deviceId },
          update: { $max: { lastSeenAt: seenAt }, $setOnInsert: { firstSeenAt: seenAt } },
          upsert: true,
        },
      });
    }
    for (const [deviceId, p] of batch.latest) {
      // Only a newer fix moves the last position: late uploads must not drag a device back in time.
      ops.push({
        updateOne: {
          filter: { _id: deviceId, $or: [{ lastTs: { $lt: p.ts } }, { lastTs: { $exists: false } }] },
          update: { $set: lastState(p) },
        },
      });
    }
    for (const s of batch.statuses) {
      ops.push({
        updateOne: {
          filter: { _id: s.deviceId, $or: [{ statusAt: { $lte: s.at } }, { statusAt: { $exists: false } }] },
          update: { $set: { online: s.status === 'online', statusAt: s.at } },
        },
      });
    }
    if (ops.length) await this.db.collection<DeviceStateDoc>(COLLECTIONS.deviceState).bulkWrite(ops, { ordered: true });
  }
}

function lastState(p: TelemetryPoint): Document {
  const s: Document = { kind: p.kind, lastTs: p.ts, loc: p.loc, lastSeq: p.seq };
  for (const k of ['spd', 'hdg', 'acc', 'ign', 'ops', 'bat', 'evt'] as const) {
    if (p[k] !== undefined) s[k] = p[k];
  }
  return s;
}

async function insertIgnoringDuplicates(
  db: Db,
  collection: string,
  docs: Document[],
): Promise<{ inserted: number; duplicates: number }> {
  if (docs.length === 0) return { inserted: 0, duplicates: 0 };
  // The driver adds _id to the objects it inserts; copies keep a retried batch free of stale ids.
  const copies = docs.map((d) => ({ ...d }));
  try {
    const res = await db.collection(collection).insertMany(copies, { ordered: false });
    return { inserted: res.insertedCount, duplicates: 0 };
  } catch (e) {
    if (e instanceof MongoBulkWriteError) {
      const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      const other = errors.filter((w) => w.code !== DUPLICATE_KEY);
      if (other.length === 0) return { inserted: e.result.insertedCount, duplicates: errors.length };
    }
    throw e;
  }
}
