import type { AnyBulkWriteOperation, Db } from 'mongodb';
import type { EvidenceDelta, EvidenceDoc } from '../evidence';
import { bulkWriteInCommands, DUPLICATE_KEY } from '@dwg/persistence';
import { WORKER_COLLECTIONS } from './collections';
import {
  bucketOf,
  bucketUpdate,
  DEFAULT_BUCKETS,
  keyOf,
  partOf,
  partsOf,
  type BucketDoc,
} from './evidence-buckets';
import type { WriteLock } from './redis-lock';

export interface EvidenceStoreOptions {
  /** Bucket documents per service day; fixed for a day by its first write (recorded in `evidence_days`). */
  buckets?: number;
  /** Serialises state writes across processes; none needed in a single process. */
  lock?: WriteLock;
}

interface JournalDoc {
  _id: string;
  at: number;
  deltas: string;
}

/** `evidence_days`: one entry per service day with state, its bucket count and when it was last folded into. */
interface DayDoc {
  _id: string;
  buckets: number;
  touchedAt: number;
}

/**
 * Evidence state through the driver, and the journal of deltas not yet folded (see EvidenceWriter).
 *
 * Storage (`evidence-buckets.ts`): a collection per service day (`evidence.<day>`), holding a fixed number of
 * bucket documents with the state of each of the day's tasks under a field of its own. A fold issues one update
 * per touched bucket, built only from $addToSet/$each, $min, $max and $inc, so replays and late batches converge
 * on the same state without transactions. Callers see one state document per task (`states`, `touchedSince`).
 *
 * FerretDB v1 has no document locking: two concurrent updates of one bucket can lose one of them. Every write to
 * the buckets therefore runs under `lock` (on MongoDB the lock is merely unnecessary).
 */
export class EvidenceRepository {
  private readonly buckets: number;
  private readonly lock: WriteLock;
  /** Bucket count per day: never changes once a day has state. */
  private readonly dayBuckets = new Map<string, number>();
  /** Update statements sent to the bucket documents by `apply` (benchmarks). */
  statements = 0;

  constructor(
    private readonly db: Db,
    opts: EvidenceStoreOptions = {},
  ) {
    this.buckets = opts.buckets ?? DEFAULT_BUCKETS;
    this.lock = opts.lock ?? ((fn) => fn());
  }

  /** The collection of a service day's state. */
  static collectionOf(day: string): string {
    return `${WORKER_COLLECTIONS.evidence}.${day.replace(/[^\w-]/g, '_')}`;
  }

  private dayCol(day: string) {
    return this.db.collection<BucketDoc>(EvidenceRepository.collectionOf(day));
  }

  private get daysCol() {
    return this.db.collection<DayDoc>(WORKER_COLLECTIONS.evidenceDays);
  }

  /** Bucket count of a day with state, or null; `create` records one for a new day (under the write lock). */
  private async bucketsOf(day: string, create: false): Promise<number | null>;
  private async bucketsOf(day: string, create: true, now: number): Promise<number>;
  private async bucketsOf(day: string, create: boolean, now = 0): Promise<number | null> {
    const known = this.dayBuckets.get(day);
    if (known) return known;
    let doc = await this.daysCol.findOne({ _id: day });
    if (!doc && create) {
      try {
        await this.daysCol.insertOne({ _id: day, buckets: this.buckets, touchedAt: now });
        doc = { _id: day, buckets: this.buckets, touchedAt: now };
      } catch (e) {
        if ((e as { code?: number }).code !== DUPLICATE_KEY) throw e;
        // Another process recorded the day first (unique _id): take its count.
        doc = await this.daysCol.findOne({ _id: day });
        if (!doc) throw e;
      }
    }
    if (doc) this.dayBuckets.set(day, doc.buckets);
    return doc?.buckets ?? null;
  }

  /** Items of days that have state, by day and then by bucket (each day's bucket count looked up once). */
  private async byBucket<T>(
    items: readonly T[],
    dayOf: (t: T) => string,
    idOf: (t: T) => string,
  ): Promise<Map<string, Map<string, T[]>>> {
    const out = new Map<string, Map<string, T[]>>();
    for (const [day, list] of groupBy(items, dayOf)) {
      const n = await this.bucketsOf(day, false);
      if (n)
        out.set(
          day,
          groupBy(list, (t) => bucketOf(idOf(t), n)),
        );
    }
    return out;
  }

  /** Folds deltas into the state: one update per touched bucket, by _id alone, in commands of ≤ WRITE_STATEMENTS_PER_COMMAND. */
  async apply(deltas: readonly EvidenceDelta[], now = Date.now()): Promise<void> {
    if (!deltas.length) return;
    await this.lock(async () => {
      for (const [day, list] of groupBy(deltas, (d) => d.day)) {
        const n = await this.bucketsOf(day, true, now);
        const byBucket = groupBy(list, (d) => bucketOf(d.taskId, n));
        const ops: AnyBulkWriteOperation<BucketDoc>[] = [...byBucket].map(([b, ds]) => ({
          updateOne: { filter: { _id: b }, update: bucketUpdate(day, ds, now), upsert: true },
        }));
        await bulkWriteInCommands(this.dayCol(day), ops);
        this.statements += ops.length;
        await this.daysCol.updateOne({ _id: day }, { $max: { touchedAt: now } });
      }
    });
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
    await bulkWriteInCommands(
      this.journalCol,
      ids.map((id) => ({ deleteOne: { filter: { _id: id } } })),
    );
  }

  /**
   * The state of each task that has any, by task id. Reads each needed bucket once with find({_id}) (which
   * FerretDB serves from its index; `$in` would scan).
   */
  async states(tasks: readonly { id: string; day: string }[]): Promise<Map<string, EvidenceDoc>> {
    const out = new Map<string, EvidenceDoc>();
    for (const [day, byBucket] of await this.byBucket(
      tasks,
      (t) => t.day,
      (t) => t.id,
    )) {
      for (const [b, group] of byBucket) {
        const doc = await this.dayCol(day).findOne({ _id: b });
        for (const { id } of group) {
          const s = partOf(doc, id);
          if (s) out.set(id, s);
        }
      }
    }
    return out;
  }

  async state(id: string, day: string): Promise<EvidenceDoc | undefined> {
    return (await this.states([{ id, day }])).get(id);
  }

  /** The states of tasks folded into since `since` (any day: late records reach old days too). */
  async touchedSince(since: number): Promise<EvidenceDoc[]> {
    const days = await this.daysCol.find({ touchedAt: { $gte: since } }).toArray();
    const out: EvidenceDoc[] = [];
    for (const day of days) {
      const buckets = await this.dayCol(day._id)
        .find({ touchedAt: { $gte: since } })
        .toArray();
      for (const b of buckets)
        out.push(...partsOf(b).filter((s) => ((s as { touchedAt?: number }).touchedAt ?? 0) >= since));
    }
    return out;
  }

  /**
   * Stores summaries, one update per bucket. A bucket remembers the asOf of the newest run written into it, and a
   * run with an older asOf (a retried job overtaken by a later one) writes nothing there, so a stale summary
   * never overwrites a newer one; `summaryRev` tells the next run which states changed since.
   */
  async writeSummaries(
    items: { id: string; day: string; rev: number; summary: unknown; asOf: number }[],
  ): Promise<number> {
    const groups = await this.byBucket(
      items,
      (s) => s.day,
      (s) => s.id,
    );
    let written = 0;
    await this.lock(async () => {
      for (const [day, byBucket] of groups) {
        for (const [b, group] of byBucket) {
          const asOf = Math.max(...group.map((s) => s.asOf));
          const set: Record<string, unknown> = {};
          for (const s of group) {
            const p = `t.${keyOf(s.id)}`;
            set[`${p}.summary`] = s.summary;
            set[`${p}.summaryRev`] = s.rev;
          }
          const res = await this.dayCol(day).updateOne(
            { _id: b, $or: [{ summaryAsOf: { $exists: false } }, { summaryAsOf: { $lte: asOf } }] },
            { $set: set, $max: { summaryAsOf: asOf } },
          );
          if (res.matchedCount) written += group.length;
        }
      }
    });
    return written;
  }

  /** Service days with state (oldest first). */
  async days(): Promise<string[]> {
    return (await this.daysCol.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id);
  }

  /** Removes all state and journal (benchmarks between runs). */
  async clear(): Promise<void> {
    for (const day of await this.days())
      await this.dayCol(day)
        .drop()
        .catch(() => undefined);
    await this.daysCol.deleteMany({});
    await this.journalCol.deleteMany({});
    this.dayBuckets.clear();
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
