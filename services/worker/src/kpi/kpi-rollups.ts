import type { Collection, Db, IndexDescription } from 'mongodb';
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
import { COLLECTIONS, INDEXES } from '@dwg/persistence';

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

/** Per entity: the last applied rev and its contribution, so the next rev applies only the difference. */
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
}

/**
 * The claim of one entity's step from rev `from` to rev `to` (`_id = entity@from`, unique): written before any
 * rollup, it holds all a retry needs to finish the step after a crash. One per applied rev; kept, since deleting
 * it would let a delivery that read the old rev claim the same step again.
 */
export interface StepDoc {
  _id: string;
  entity: string;
  from: number;
  to: number;
  opId: string;
  appliedAt: Date;
  deltas: { key: KpiKey; delta: KpiVector }[];
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
export const appliedField = (entity: string) =>
  `applied.${entity.replace(/[%.$]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

export const KPI_INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.kpiRollups]: INDEXES[COLLECTIONS.kpiRollups],
  [COLLECTIONS.kpiContributions]: INDEXES[COLLECTIONS.kpiContributions],
  [COLLECTIONS.kpiHistory]: INDEXES[COLLECTIONS.kpiHistory],
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

/**
 * Incremental KPI rollups, idempotent without transactions, where every read and write filters on `_id` alone
 * (FerretDB v1 on SQLite uses its `_id` index for nothing else: a filter such as `{_id, rev: {$lt}}` scans the
 * collection). Per event with rev r of entity E whose stored contribution has rev b (0 when none):
 * 1. r ≤ b: stop (a replay or an older, out-of-order delivery changes nothing);
 * 2. **claim** the step out of b by inserting `kpi_steps` `{_id: "E@b"}` holding the new contribution and the
 *    deltas: the unique `_id` lets one delivery move on from b, a loser reads the step and finishes it;
 * 3. per delta: insert its history entry (`_id = opId|key`, a repeat is a duplicate) and `$inc` the rollup by
 *    `_id`, setting `applied.E = r` in the same update;
 * 4. replace the contribution by `_id` (now rev r): the step is done, the next one starts from r.
 * A crash leaves the step claimed and the contribution at b; the retry (or the next rev of E) hits the claim,
 * and finishes the step: a rollup whose `applied.E` is already ≥ r got its `$inc` and is skipped.
 * Steps of one entity run one at a time in this process (a lock per entity), so the claimer is the only writer
 * of its step, and the updates of one rollup too (FerretDB v1 would lose one of two concurrent $inc; so on
 * FerretDB one worker process consumes the domain events, while on MongoDB several may); a step found unfinished is finished by another delivery only once it is older than
 * STEP_GRACE_MS (its writer presumed dead, e.g. another worker process that crashed).
 */
export class KpiRollups {
  readonly contributions: Collection<ContributionDoc>;
  readonly rollups: Collection<RollupDoc>;
  readonly history: Collection<HistoryDoc>;
  readonly steps: Collection<StepDoc>;
  private readonly entityLocks = new Map<string, Promise<unknown>>();
  /** FerretDB v1 runs an update as read-modify-write: two $inc of one document at once can lose one. */
  private readonly rollupLocks = new Map<string, Promise<unknown>>();

  constructor(
    db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.contributions = db.collection<ContributionDoc>(COLLECTIONS.kpiContributions);
    this.rollups = db.collection<RollupDoc>(COLLECTIONS.kpiRollups);
    this.history = db.collection<HistoryDoc>(COLLECTIONS.kpiHistory);
    this.steps = db.collection<StepDoc>(COLLECTIONS.kpiSteps);
  }

  apply(ch: KpiChange): Promise<'applied' | 'stale'> {
    const _id = `${ch.kind}:${ch.entityId}`;
    return serialize(this.entityLocks, _id, () => this.applyLocked(_id, ch));
  }

  private async applyLocked(_id: string, ch: KpiChange): Promise<'applied' | 'stale'> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await this.contributions.findOne({ _id });
      const base = cur?.rev ?? 0;
      if (ch.rev <= base) return 'stale';
      const deltas = planDeltas(cur ? { key: cur.key, vec: cur.vec } : null, { key: ch.key, vec: ch.vec });
      const step: StepDoc = {
        _id: `${_id}@${base}`,
        entity: _id,
        from: base,
        to: ch.rev,
        opId: `${_id}:${ch.rev}`,
        appliedAt: this.now(),
        deltas,
        doc: {
          _id,
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
        // Another delivery (or one that crashed) moved on from this rev: finish its step, then read again.
        const other = await this.steps.findOne({ _id: step._id });
        if (!other) continue;
        const age = this.now().getTime() - new Date(other.appliedAt).getTime();
        if (age < STEP_GRACE_MS)
          throw new Error(`KPI step ${other._id} → rev ${other.to} is in progress elsewhere; retry later`, {
            cause: e,
          });
        await this.finish(other, true);
        continue;
      }
      await this.finish(step, false);
      return 'applied';
    }
    throw new Error(`KPI contribution ${_id} kept changing under rev ${ch.rev}; retry later`);
  }

  /** Writes a claimed step; `repair`: some of its writes may be done already, so check each rollup first. */
  private async finish(step: StepDoc, repair: boolean): Promise<void> {
    const field = appliedField(step.entity);
    for (const { key, delta } of step.deltas) {
      const rk = rollupKey(key);
      try {
        await this.history.insertOne({
          _id: `${step.opId}|${rk}`,
          contractId: key.contractId,
          zoneId: key.zoneId,
          serviceLine: key.serviceLine,
          day: key.day,
          opId: step.opId,
          appliedAt: step.appliedAt,
          d: delta,
        });
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
      if (repair) {
        const r = await this.rollups.findOne({ _id: rk });
        if ((r?.applied?.[field.slice('applied.'.length)] ?? 0) >= step.to) continue;
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
      await serialize(this.rollupLocks, rk, () =>
        this.rollups.updateOne({ _id: rk }, update, { upsert: true }),
      );
    }
    await this.contributions.replaceOne({ _id: step.entity }, step.doc, { upsert: true });
  }
}
