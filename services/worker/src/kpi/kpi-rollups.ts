import type { Collection, Db, Document, Filter, IndexDescription } from 'mongodb';
import {
  alarmContribution,
  planDeltas,
  rollupKey,
  taskContribution,
  workOrderContribution,
  type AlarmChanged,
  type KpiEntityKind,
  type KpiKey,
  type KpiVector,
  type TaskChanged,
  type WorkOrderChanged,
} from '@dwg/contracts';
import {
  COLLECTIONS,
  ensureIndexes,
  escapeFieldName,
  INDEXES,
  KPI_MONTH_INDEXES,
  kpiHistoryOf,
  kpiRollupsOf,
} from '@dwg/persistence';
import { addDays, serviceDay } from '../tasks/service-day';

/** One entity's change as the rollups see it: where it counts, what it adds, and what evidence it points to. */
export interface KpiChange {
  kind: KpiEntityKind;
  entityId: string;
  rev: number;
  key: KpiKey;
  vec: KpiVector;
  /** Fields the assessment needs to make a deduction and link its evidence (task window, devices, photos…). */
  ref: Record<string, unknown>;
  changedAt: string;
}

/**
 * One entity's contribution as of one rev (`_id = entity|rev`), inserted when that rev's step is done; never
 * updated (FerretDB v1 scans the collection for every update, even one filtered on `_id`). The current
 * contribution of an entity is its document of highest rev; when a rev moves the entity to another contract or
 * day, a `gone` marker of that rev is also inserted under the old contract and day, so a reader of the old range
 * sees that the entity left it.
 */
export interface ContributionDoc {
  _id: string;
  kind: KpiEntityKind;
  entityId: string;
  rev: number;
  contractId: string;
  day: string;
  key: KpiKey;
  vec: KpiVector;
  ref: Record<string, unknown>;
  changedAt: string;
  gone?: true;
}

/**
 * The claim of one entity's step from rev `from` to rev `to` (`_id = entity@from`, unique): inserted before any
 * other write, it holds all a retry needs to finish the step after a crash. The steps of an entity form a chain
 * 0 → r1 → r2 …, walked by `_id` to find the entity's current rev; never deleted, since a missing link would
 * let a delivery claim the same step again.
 */
export interface StepDoc {
  _id: string;
  entity: string;
  from: number;
  to: number;
  opId: string;
  appliedAt: Date;
  deltas: { key: KpiKey; delta: KpiVector }[];
  /** The contribution at `from` (null for the first step): where the entity counted before. */
  prev: { contractId: string; day: string } | null;
  doc: ContributionDoc;
}

export interface RollupDoc {
  _id: string;
  tenantId: string;
  contractId: string;
  zoneId: string | null;
  serviceLine: string;
  day: string;
  c: KpiVector;
  /**
   * Per contributing entity (field name from appliedField), the rev whose delta this rollup holds: written by the
   * same update as the $inc, so a repaired step knows whether its $inc happened. One entry per entity that ever
   * counted on this key-day, however many revs it had.
   */
  applied?: Record<string, number>;
  updatedAt: Date;
}

export interface HistoryDoc {
  _id: string;
  contractId: string;
  zoneId: string | null;
  serviceLine: string;
  day: string;
  opId: string;
  appliedAt: Date;
  d: KpiVector;
}

export function changeFromTask(e: TaskChanged): KpiChange {
  return {
    kind: 'task',
    entityId: e.taskId,
    rev: e.rev,
    key: keyOf(e),
    vec: taskContribution(e),
    ref: {
      type: e.type,
      status: e.status,
      final: e.final,
      subjectKind: e.subjectKind,
      subjectIds: e.subjectIds,
      deviceIds: e.deviceIds,
      windowStart: e.windowStart,
      windowEnd: e.windowEnd,
      metrics: e.metrics ?? {},
    },
    changedAt: e.changedAt,
  };
}

export function changeFromAlarm(e: AlarmChanged): KpiChange {
  return {
    kind: 'alarm',
    entityId: e.alarmId,
    rev: e.rev,
    key: keyOf(e),
    vec: alarmContribution(e),
    ref: {
      type: e.type,
      status: e.status,
      deviceId: e.deviceId,
      subjectKind: e.subjectKind,
      subjectId: e.subjectId,
      taskId: e.taskId,
      openedAt: e.openedAt,
    },
    changedAt: e.changedAt,
  };
}

export function changeFromWorkOrder(e: WorkOrderChanged): KpiChange {
  return {
    kind: 'work-order',
    entityId: e.workOrderId,
    rev: e.rev,
    key: keyOf(e),
    vec: workOrderContribution(e),
    ref: {
      category: e.category,
      state: e.state,
      reportedAt: e.reportedAt,
      dueAt: e.dueAt,
      closedAt: e.closedAt,
      yellowCard: e.yellowCard,
      redCard: e.redCard,
      photoIds: e.photoIds ?? [],
    },
    changedAt: e.changedAt,
  };
}

function keyOf(k: KpiKey): KpiKey {
  return {
    tenantId: k.tenantId,
    contractId: k.contractId,
    zoneId: k.zoneId ?? null,
    serviceLine: k.serviceLine,
    day: k.day,
  };
}

const isDuplicate = (e: unknown) => (e as { code?: number }).code === 11000;

/** A field name for an entity id inside `applied` (ids may hold dots or a leading `$`). */
export const appliedField = (entity: string) => `applied.${escapeFieldName(entity)}`;

export const KPI_INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.kpiContributions]: INDEXES[COLLECTIONS.kpiContributions],
};

/** Runs fn after every earlier call with the same key has settled (an in-process lock per key). */
function serialize<T>(locks: Map<string, Promise<unknown>>, key: string, fn: () => Promise<T>): Promise<T> {
  const run = (locks.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}

/** How long a step may stay unfinished before another delivery presumes its writer dead and finishes it. */
export const STEP_GRACE_MS = 30_000;

/** Documents per deleteMany of the housekeeping (FerretDB scans the collection once per statement). */
const DELETE_CHUNK = 500;

/** Deletes the documents whose `field` is one of `values`, DELETE_CHUNK values per statement; the count deleted. */
async function deleteIn<T extends Document>(
  col: Collection<T>,
  field: string,
  values: string[],
): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < values.length; i += DELETE_CHUNK)
    deleted += (await col.deleteMany({ [field]: { $in: values.slice(i, i + DELETE_CHUNK) } } as Filter<T>))
      .deletedCount;
  return deleted;
}

/** The service day (Asia/Shanghai) `days` before `at`: days before it are closed. */
export function closedBefore(at: Date, days: number): string {
  return addDays(serviceDay(at.getTime()), -days);
}

export interface CompactOutcome {
  closedBefore: string | null;
  steps: number;
  contributions: number;
}

/** Entities whose last step this process finished, so the next event starts its walk there (bounded). */
const HEAD_CACHE = 50_000;

/**
 * Incremental KPI rollups, idempotent without transactions. FerretDB v1.24 on SQLite inserts in a few ms (its
 * unique `_id` check is indexed) but runs every find, update, replace and delete as a scan of the collection, even
 * one filtered on `_id` alone (explain: SCAN; a find stops at its first match, so a miss costs the whole
 * collection: ~300 ms at 20,000 documents). So the usual path writes by inserts only, plus the `$inc` of the
 * (small) rollup collection, and reads nothing. Per event with rev r of entity E:
 * 1. take E's current rev b from the head this process last finished (0 for an entity it never saw): the claim
 *    below checks that guess; only when it fails, walk E's step chain by `_id` (`E@0`, `E@r1`, …) to its current
 *    rev b, and if the last step is not done (no contribution `E|b`), finish it first (see below);
 * 2. r ≤ b: stop (a replay or an older, out-of-order delivery changes nothing);
 * 3. **claim** the step by inserting `kpi_steps` `{_id: "E@b"}` holding the new contribution and the deltas: the
 *    unique `_id` lets one delivery move on from b; a loser walks again and finds it;
 * 4. per delta: insert its history entry (`_id = opId|key`, a repeat is a duplicate) and `$inc` the rollup by
 *    `_id`, setting `applied.E = r` in the same update;
 * 5. insert the contribution `E|r` (and a `gone` marker under the old contract/day if it moved): the step is done.
 * A crash leaves the step without its contribution; the retry (or the next rev of E) finishes it, skipping a
 * rollup whose `applied.E` is already ≥ r (its `$inc` happened). Steps of one entity run one at a time in this
 * process (a lock per entity), and so do the updates of one rollup (FerretDB v1 loses one of two concurrent
 * `$inc` of a document; on FerretDB one worker process consumes the domain events). A step found unfinished is
 * finished by another delivery only once it is older than STEP_GRACE_MS (its writer presumed dead).
 */
export class KpiRollups {
  readonly contributions: Collection<ContributionDoc>;
  /** Rollups a database wrote before they were split by month: read by a repair, never written. */
  readonly legacyRollups: Collection<RollupDoc>;
  readonly steps: Collection<StepDoc>;
  private readonly entityLocks = new Map<string, Promise<unknown>>();
  /** FerretDB v1 runs an update as read-modify-write: two $inc of one document at once can lose one. */
  private readonly rollupLocks = new Map<string, Promise<unknown>>();
  /** Per entity, the last step this process saw done: the walk starts there. */
  private readonly heads = new Map<string, StepDoc>();
  /** Month collections (rollups, history) whose index this process has ensured. */
  private readonly months = new Map<string, Promise<unknown>>();

  /**
   * @param openDays service days stay open this long (null: forever). A change of an entity on a closed day is
   * refused, and a closed day is never written, so the steps of entities that live on closed days only can go.
   */
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly openDays: number | null = null,
  ) {
    this.contributions = db.collection<ContributionDoc>(COLLECTIONS.kpiContributions);
    this.legacyRollups = db.collection<RollupDoc>(COLLECTIONS.kpiRollups);
    this.steps = db.collection<StepDoc>(COLLECTIONS.kpiSteps);
  }

  /** The rollups of a service day's month (`kpi_rollups_YYYYMM`), its index ensured on first use. */
  rollupsOf(day: string): Promise<Collection<RollupDoc>> {
    return this.month<RollupDoc>(kpiRollupsOf(day));
  }

  /** The history of a service day's month (`kpi_history_YYYYMM`), its index ensured on first use. */
  historyOf(day: string): Promise<Collection<HistoryDoc>> {
    return this.month<HistoryDoc>(kpiHistoryOf(day));
  }

  private month<T extends Document>(name: string): Promise<Collection<T>> {
    let col = this.months.get(name) as Promise<Collection<T>> | undefined;
    if (!col) {
      col = ensureIndexes(this.db, { [name]: KPI_MONTH_INDEXES }).then(() => this.db.collection<T>(name));
      col.catch(() => this.months.delete(name));
      this.months.set(name, col);
    }
    return col;
  }

  apply(ch: KpiChange): Promise<'applied' | 'stale' | 'closed'> {
    if (this.isClosed(ch.key.day)) return Promise.resolve('closed');
    const entity = `${ch.kind}:${ch.entityId}`;
    return serialize(this.entityLocks, entity, () => this.applyLocked(entity, ch));
  }

  private closedBefore(): string | null {
    return this.openDays === null ? null : closedBefore(this.now(), this.openDays);
  }

  private isClosed(day: string): boolean {
    const closed = this.closedBefore();
    return closed !== null && day < closed;
  }

  /**
   * Housekeeping (a daily job), two scans and a few deleteMany by `_id` or entity:
   * - contributions superseded by a later done rev of their entity (the reader keeps each entity's highest rev,
   *   so they change no answer), then the `gone` markers up to that rev (they only hid those);
   * - the steps of entities whose every step is on a closed day: no change of theirs is applied any more (refused
   *   by day), so their chain is never walked again.
   */
  async compact(): Promise<CompactOutcome> {
    const closed = this.closedBefore();
    const docs = await this.contributions
      .find({}, { projection: { kind: 1, entityId: 1, rev: 1, gone: 1 } })
      .toArray();
    const done = new Map<string, number>();
    const entityOf = (d: ContributionDoc) => `${d.kind}:${d.entityId}`;
    for (const d of docs) if (!d.gone) done.set(entityOf(d), Math.max(done.get(entityOf(d)) ?? 0, d.rev));
    const head = (d: ContributionDoc) => done.get(entityOf(d)) ?? 0;
    const superseded = docs.filter((d) => !d.gone && d.rev < head(d)).map((d) => d._id);
    const markers = docs.filter((d) => d.gone && d.rev <= head(d)).map((d) => d._id);
    let contributions = 0;
    for (const ids of [superseded, markers]) contributions += await deleteIn(this.contributions, '_id', ids);
    let steps = 0;
    if (closed !== null) {
      const latest = new Map<string, string>();
      for (const s of await this.steps.find({}, { projection: { entity: 1, 'doc.day': 1 } }).toArray()) {
        const had = latest.get(s.entity);
        if (!had || s.doc.day > had) latest.set(s.entity, s.doc.day);
      }
      const gone = [...latest].filter(([, day]) => day < closed).map(([entity]) => entity);
      steps = await deleteIn(this.steps, 'entity', gone);
    }
    return { closedBefore: closed, steps, contributions };
  }

  /** The entity's current contribution by `_id` alone: the highest stored rev (null: none). */
  async current(entity: string): Promise<ContributionDoc | null> {
    const { last } = await this.walk(entity);
    return last ? this.contributions.findOne({ _id: `${entity}|${last.to}` }) : null;
  }

  /** Follows the step chain from the cached head; `last` is the step that ends at the entity's current rev. */
  private async walk(entity: string): Promise<{ last: StepDoc | null; done: boolean }> {
    let last = this.heads.get(entity) ?? null;
    let done = last !== null;
    for (;;) {
      const next = await this.steps.findOne({ _id: `${entity}@${last?.to ?? 0}` });
      if (!next) break;
      last = next;
      done = false;
    }
    if (last && !done) done = (await this.contributions.findOne({ _id: `${entity}|${last.to}` })) !== null;
    return { last, done };
  }

  private remember(step: StepDoc): void {
    if (this.heads.size >= HEAD_CACHE) this.heads.clear();
    this.heads.set(step.entity, step);
  }

  private async applyLocked(entity: string, ch: KpiChange): Promise<'applied' | 'stale' | 'closed'> {
    for (let attempt = 0; attempt < 20; attempt++) {
      // First try without reading: from the head this process last finished (or 0 for an entity it never saw).
      // The claim's unique `_id` checks the guess: a duplicate means the chain goes on, so walk it then.
      const { last, done } =
        attempt === 0 ? { last: this.heads.get(entity) ?? null, done: true } : await this.walk(entity);
      if (last && !done) {
        const age = this.now().getTime() - new Date(last.appliedAt).getTime();
        if (age < STEP_GRACE_MS)
          throw new Error(`KPI step ${last._id} → rev ${last.to} is in progress elsewhere; retry later`);
        await this.finish(last, true);
        continue;
      }
      const base = last?.to ?? 0;
      if (ch.rev <= base) return 'stale';
      // A closed day is never written: an entity leaving one keeps its share there and counts anew where it goes.
      const cur = last?.doc && !this.isClosed(last.doc.day) ? last.doc : null;
      const deltas = planDeltas(cur ? { key: cur.key, vec: cur.vec } : null, { key: ch.key, vec: ch.vec });
      const step: StepDoc = {
        _id: `${entity}@${base}`,
        entity,
        from: base,
        to: ch.rev,
        opId: `${entity}:${ch.rev}`,
        appliedAt: this.now(),
        deltas,
        prev: cur ? { contractId: cur.contractId, day: cur.day } : null,
        doc: {
          _id: `${entity}|${ch.rev}`,
          kind: ch.kind,
          entityId: ch.entityId,
          rev: ch.rev,
          contractId: ch.key.contractId,
          day: ch.key.day,
          key: ch.key,
          vec: ch.vec,
          ref: ch.ref,
          changedAt: ch.changedAt,
        },
      };
      try {
        await this.steps.insertOne(step);
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        this.heads.delete(entity); // the chain goes on from b (another delivery, or an earlier process): walk it
        continue;
      }
      await this.finish(step, false);
      return 'applied';
    }
    throw new Error(`KPI contribution ${entity} kept changing under rev ${ch.rev}; retry later`);
  }

  /** Writes a claimed step; `repair`: some of its writes may be done already, so check each rollup first. */
  private async finish(step: StepDoc, repair: boolean): Promise<void> {
    const field = appliedField(step.entity);
    for (const { key, delta } of step.deltas) {
      const rk = rollupKey(key);
      await this.insertOnce(await this.historyOf(key.day), {
        _id: `${step.opId}|${rk}`,
        contractId: key.contractId,
        zoneId: key.zoneId,
        serviceLine: key.serviceLine,
        day: key.day,
        opId: step.opId,
        appliedAt: step.appliedAt,
        d: delta,
      });
      const rollups = await this.rollupsOf(key.day);
      if (repair) {
        const entry = field.slice('applied.'.length);
        const r = await rollups.findOne({ _id: rk });
        if ((r?.applied?.[entry] ?? 0) >= step.to) continue;
        // A step cut short before the split may have done its $inc in the former single collection.
        if (!r && ((await this.legacyRollups.findOne({ _id: rk }))?.applied?.[entry] ?? 0) >= step.to)
          continue;
      }
      const inc = Object.fromEntries(Object.entries(delta).map(([k, n]) => [`c.${k}`, n]));
      const update = {
        $inc: inc,
        $set: { updatedAt: step.appliedAt, [field]: step.to },
        $setOnInsert: {
          tenantId: key.tenantId,
          contractId: key.contractId,
          zoneId: key.zoneId,
          serviceLine: key.serviceLine,
          day: key.day,
        },
      };
      await serialize(this.rollupLocks, rk, () => rollups.updateOne({ _id: rk }, update, { upsert: true }));
    }
    const { doc, prev } = step;
    if (prev && (prev.contractId !== doc.contractId || prev.day !== doc.day))
      await this.insertOnce(this.contributions, {
        ...doc,
        _id: `${doc._id}|gone`,
        contractId: prev.contractId,
        day: prev.day,
        gone: true,
      });
    // Last: its presence marks the step done.
    await this.insertOnce(this.contributions, doc);
    this.remember(step);
  }

  private async insertOnce<T extends { _id: string }>(col: Collection<T>, doc: T): Promise<void> {
    try {
      await col.insertOne(doc as never);
    } catch (e) {
      if (!isDuplicate(e)) throw e;
    }
  }
}
