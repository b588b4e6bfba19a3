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

interface PendingOp {
  opId: string;
  appliedAt: Date;
  deltas: { key: KpiKey; delta: KpiVector }[];
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
  /** Set while this rev's deltas are being written to the rollups; a retry finishes them (no transactions). */
  pending: PendingOp | null;
}

export interface RollupDoc {
  _id: string;
  tenantId: string;
  contractId: string;
  zoneId: string | null;
  serviceLine: string;
  day: string;
  c: KpiVector;
  /** Ids of the ops applied here: the guard that makes a retried $inc a no-op. */
  ops: string[];
  updatedAt: Date;
}

/** Each applied delta with the moment it was applied: the as-of view sums these up to a past moment. */
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

export const KPI_INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.kpiRollups]: INDEXES[COLLECTIONS.kpiRollups],
  [COLLECTIONS.kpiContributions]: INDEXES[COLLECTIONS.kpiContributions],
  [COLLECTIONS.kpiHistory]: INDEXES[COLLECTIONS.kpiHistory],
};

/**
 * Incremental KPI rollups. Order of writes, so that a crash anywhere is repaired by the retry of the same event
 * (BullMQ retries it) or by the next event of the same entity:
 * 1. claim the transition on the contribution document (conditional on the rev read and no pending op), storing
 *    the new contribution and the deltas as `pending`;
 * 2. per delta: insert its history entry (unique id, a replay is a duplicate) and $inc the rollup guarded by
 *    `ops: {$ne: opId}` (a replay matches nothing; its upsert hits the unique _id and is ignored);
 * 3. clear `pending`.
 * An event whose rev is not above the stored one changes nothing: replays and out-of-order deliveries are no-ops.
 */
export class KpiRollups {
  readonly contributions: Collection<ContributionDoc>;
  readonly rollups: Collection<RollupDoc>;
  readonly history: Collection<HistoryDoc>;

  constructor(
    db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.contributions = db.collection<ContributionDoc>(COLLECTIONS.kpiContributions);
    this.rollups = db.collection<RollupDoc>(COLLECTIONS.kpiRollups);
    this.history = db.collection<HistoryDoc>(COLLECTIONS.kpiHistory);
  }

  async apply(ch: KpiChange): Promise<'applied' | 'stale'> {
    const _id = `${ch.kind}:${ch.entityId}`;
    for (let attempt = 0; attempt < 20; attempt++) {
      const cur = await this.contributions.findOne({ _id });
      if (cur?.pending) {
        await this.finish(_id, cur.rev, cur.pending);
        continue;
      }
      if (cur && cur.rev >= ch.rev) return 'stale';
      const deltas = planDeltas(cur ? { key: cur.key, vec: cur.vec } : null, { key: ch.key, vec: ch.vec });
      const pending: PendingOp | null = deltas.length
        ? { opId: `${_id}:${ch.rev}`, appliedAt: this.now(), deltas }
        : null;
      const doc: ContributionDoc = {
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
        pending,
      };
      if (cur) {
        const r = await this.contributions.replaceOne({ _id, rev: cur.rev, pending: null }, doc);
        if (r.matchedCount === 0) continue; // another delivery moved it first: read again
      } else {
        try {
          await this.contributions.insertOne(doc);
        } catch (e) {
          if (isDuplicate(e)) continue;
          throw e;
        }
      }
      if (pending) await this.finish(_id, ch.rev, pending);
      return 'applied';
    }
    throw new Error(`KPI contribution ${_id} kept changing under rev ${ch.rev}; retry later`);
  }

  private async finish(_id: string, rev: number, op: PendingOp): Promise<void> {
    for (const { key, delta } of op.deltas) {
      const rk = rollupKey(key);
      try {
        await this.history.insertOne({
          _id: `${op.opId}|${rk}`,
          contractId: key.contractId,
          zoneId: key.zoneId,
          serviceLine: key.serviceLine,
          day: key.day,
          opId: op.opId,
          appliedAt: op.appliedAt,
          d: delta,
        });
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
      const inc = Object.fromEntries(Object.entries(delta).map(([k, n]) => [`c.${k}`, n]));
      try {
        await this.rollups.updateOne(
          { _id: rk, ops: { $ne: op.opId } },
          {
            $inc: inc,
            $push: { ops: op.opId },
            $set: { updatedAt: op.appliedAt },
            $setOnInsert: {
              tenantId: key.tenantId,
              contractId: key.contractId,
              zoneId: key.zoneId,
              serviceLine: key.serviceLine,
              day: key.day,
            },
          },
          { upsert: true },
        );
      } catch (e) {
        if (!isDuplicate(e)) throw e; // the op is already in this rollup
      }
    }
    // The pending op belongs to this rev; filtering on a dotted path would make FerretDB scan the collection.
    await this.contributions.updateOne({ _id, rev }, { $set: { pending: null } });
  }
}
