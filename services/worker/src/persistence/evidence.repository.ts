import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import type { EvidenceDelta, EvidenceDoc } from '../evidence';
import { WORKER_COLLECTIONS } from './collections';

/**
 * Evidence state through the driver: one upsert per task per write, built only from $addToSet/$each, $min, $max
 * and $inc of a revision, so replays and late batches converge on the same state and no transaction or
 * multi-document update is needed (FerretDB supports all of these).
 */
export class EvidenceRepository {
  constructor(private readonly db: Db) {}

  private get col() {
    return this.db.collection<EvidenceDoc>(WORKER_COLLECTIONS.evidence);
  }

  async apply(deltas: readonly EvidenceDelta[], now = Date.now()): Promise<void> {
    if (deltas.length === 0) return;
    const ops: AnyBulkWriteOperation<EvidenceDoc>[] = deltas.map((d) => ({
      updateOne: { filter: { _id: d.taskId }, update: toUpdate(d, now), upsert: true },
    }));
    await this.col.bulkWrite(ops, { ordered: false });
  }

  async find(ids: string[]): Promise<EvidenceDoc[]> {
    return ids.length ? this.col.find({ _id: { $in: ids } }).toArray() : [];
  }

  /** Documents changed since `since` whose summary is older than their state. */
  async touchedSince(since: number): Promise<EvidenceDoc[]> {
    const docs = await this.col.find({ touchedAt: { $gte: since } }).toArray();
    return docs.filter((d) => d.summaryRev !== d.rev);
  }

  /**
   * Stores summaries, each only if the state has not changed since it was read (same rev): a writer that
   * changed it in between is followed by a later summary run, so a stale summary never overwrites a newer one.
   */
  async writeSummaries(
    items: { id: string; rev: number; summary: unknown; asOf: number }[],
  ): Promise<number> {
    if (items.length === 0) return 0;
    const res = await this.col.bulkWrite(
      items.map((s) => ({
        updateOne: {
          filter: { _id: s.id, rev: s.rev },
          update: { $set: { summary: s.summary, summaryRev: s.rev, summaryAsOf: s.asOf } },
        },
      })),
      { ordered: false },
    );
    return res.modifiedCount;
  }
}

export function toUpdate(d: EvidenceDelta, now: number): Document {
  const u: Document = {
    $setOnInsert: { taskId: d.taskId, day: d.day, type: d.type },
    $inc: { rev: 1 },
    $max: { ...d.max, touchedAt: now },
  };
  const add = Object.entries(d.add);
  if (add.length) u.$addToSet = Object.fromEntries(add.map(([k, v]) => [k, { $each: v }]));
  if (Object.keys(d.min).length) u.$min = d.min;
  return u;
}
