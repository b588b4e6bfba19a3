import { MongoBulkWriteError, type Db, type Document } from 'mongodb';
import { COLLECTIONS, DUPLICATE_KEY } from '@dwg/persistence';
import type { Batch } from '../pipeline/batch';

export interface WriteResult {
  inserted: number;
  duplicates: number;
  deadLetters: number;
}

/**
 * The ingest hot path writes through the driver in unordered batches: the unique index on (deviceId, ts, seq)
 * absorbs redeliveries, so a batch replayed after a crash stores nothing twice.
 */
export class TelemetryRepository {
  constructor(private readonly db: Db) {}

  async write(batch: Batch): Promise<WriteResult> {
    const [points, dead] = await Promise.all([
      insertIgnoringDuplicates(this.db, COLLECTIONS.telemetry, batch.points),
      insertIgnoringDuplicates(this.db, COLLECTIONS.deadLetters, batch.deadLetters),
    ]);
    return { inserted: points.inserted, duplicates: points.duplicates, deadLetters: dead.inserted };
  }
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
