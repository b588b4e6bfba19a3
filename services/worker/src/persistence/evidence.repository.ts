import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import type { EvidenceDelta, EvidenceDoc } from '../evidence';
import { WORKER_COLLECTIONS } from './collections';

/**
 * Evidence state through the driver (and the journal of not yet folded deltas, see EvidenceWriter): one upsert per task per write, built only from $addToSet/$each, $min, $max
 * and $inc of a revision, so replays and late batches converge on the same state and no transaction or
 * multi-document update is needed (FerretDB supports all of these).
 */
/** Statements per update command. */
export const APPLY_CHUNK = 50;

interface JournalDoc {
  _id: string;
  at: number;
  deltas: string;
}

export class EvidenceRepository {
  /** `parallel`: update commands in flight at once during a fold. */
  constructor(
    private readonly db: Db,
    private readonly parallel = 1,
  ) {}

  private get col() {
    return this.db.collection<EvidenceDoc>(WORKER_COLLECTIONS.evidence);
  }

  /**
   * Upserts filtered by _id alone (the only filter FerretDB v1 serves from an index), in commands of at most
   * APPLY_CHUNK statements (FerretDB stalls on update commands of hundreds of statements).
   */
  async apply(deltas: readonly EvidenceDelta[], now = Date.now()): Promise<void> {
    let next = 0;
    const lane = async () => {
      for (let i = next; i < deltas.length; i = next) {
        next += APPLY_CHUNK;
        const ops: AnyBulkWriteOperation<EvidenceDoc>[] = deltas.slice(i, i + APPLY_CHUNK).map((d) => ({
          updateOne: { filter: { _id: d.taskId }, update: toUpdate(d, now), upsert: true },
        }));
        await this.col.bulkWrite(ops, { ordered: false });
      }
    };
    await Promise.all(Array.from({ length: this.parallel }, lane));
  }

  private get journalCol() {
    return this.db.collection<JournalDoc>(WORKER_COLLECTIONS.evidenceJournal);
  }

  /**
   * One journal document holds the merged deltas of many batches. JSON text: delta paths contain dots
   * (`cells.c12`), which cannot be field names.
   */
  async journal(id: string, deltas: readonly EvidenceDelta[], now = Date.now()): Promise<void> {
    await this.journalCol.insertOne({ _id: id, at: now, deltas: JSON.stringify(deltas) });
  }

  async journalEntries(): Promise<{ id: string; deltas: EvidenceDelta[] }[]> {
    const docs = await this.journalCol.find({}).toArray();
    return docs.map((d) => ({ id: d._id, deltas: JSON.parse(d.deltas) as EvidenceDelta[] }));
  }

  /** One delete per entry, by _id alone (a few per fold). */
  async dropJournal(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += APPLY_CHUNK) {
      await this.journalCol.bulkWrite(
        ids.slice(i, i + APPLY_CHUNK).map((id) => ({ deleteOne: { filter: { _id: id } } })),
        { ordered: false },
      );
    }
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
    let modified = 0;
    for (let i = 0; i < items.length; i += APPLY_CHUNK) {
      const res = await this.col.bulkWrite(
        items.slice(i, i + APPLY_CHUNK).map((s) => ({
          updateOne: {
            filter: { _id: s.id, rev: s.rev },
            update: { $set: { summary: s.summary, summaryRev: s.rev, summaryAsOf: s.asOf } },
          },
        })),
        { ordered: false },
      );
      modified += res.modifiedCount;
    }
    return modified;
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
