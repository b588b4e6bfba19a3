/**
 * The KPI rollup writer as it was before its writes were keyed by `_id` alone (conditional filters
 * `{_id, rev, pending: null}` and `{_id, ops: {$ne}}`): kept only as the baseline of bench-kpi-rollups.
 */
import type { Collection, Db } from 'mongodb';
import { planDeltas, rollupKey, type KpiKey, type KpiVector } from '@dwg/contracts';
import type { KpiChange } from '../kpi/kpi-rollups';

interface PendingOp {
  opId: string;
  appliedAt: Date;
  deltas: { key: KpiKey; delta: KpiVector }[];
}
interface ContributionDoc {
  _id: string;
  rev: number;
  key: KpiKey;
  vec: KpiVector;
  [k: string]: unknown;
  pending: PendingOp | null;
}
interface RollupDoc {
  _id: string;
  tenantId: string;
  contractId: string;
  zoneId: string | null;
  serviceLine: string;
  day: string;
  c: KpiVector;
  ops: string[];
  updatedAt: Date;
}
interface HistoryDoc {
  _id: string;
  [k: string]: unknown;
}

const isDuplicate = (e: unknown) => (e as { code?: number }).code === 11000;

export class LegacyKpiRollups {
  readonly contributions: Collection<ContributionDoc>;
  readonly rollups: Collection<RollupDoc>;
  readonly history: Collection<HistoryDoc>;

  constructor(
    db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.contributions = db.collection<ContributionDoc>('kpi_contributions');
    this.rollups = db.collection<RollupDoc>('kpi_rollups');
    this.history = db.collection<HistoryDoc>('kpi_history');
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
