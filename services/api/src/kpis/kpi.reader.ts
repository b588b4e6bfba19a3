import type { Db } from 'mongodb';
import { addVectors, type KpiVector, type ServiceLine } from '@dwg/contracts';
import { COLLECTIONS, kpiHistoryBetween, kpiRollupsBetween } from '@dwg/persistence';
import type { RollupRow } from './kpi-periods';

export interface KpiFilter {
  contractId: string;
  from: string;
  to: string;
  zoneId?: string;
  serviceLine?: ServiceLine;
}

/** How long the reader trusts what it found out about a legacy collection (only a worker from before the split writes one). */
const LEGACY_CHECK_MS = 60_000;

/**
 * The only code that reads the KPI rollups. It reads the rollup documents of one contract's days (index
 * contract_day) from the month collections of the range (`kpi_rollups_YYYYMM`), never telemetry: a month is at
 * most 31 × zones × lines small documents. It also reads `kpi_rollups` (and, for the as-of view, `kpi_history`)
 * when a database written before the split keeps older counters there: a key found in both adds up (counters are
 * sums of deltas). A legacy collection that holds nothing is skipped: on FerretDB every read of it is a scan.
 */
export class KpiReader {
  private legacy = new Map<string, { at: number; used: Promise<boolean> }>();

  constructor(private readonly db: Db) {}

  /** Whether a collection from before the month split holds anything. */
  private legacyUsed(name: string): Promise<boolean> {
    const known = this.legacy.get(name);
    if (known && Date.now() - known.at <= LEGACY_CHECK_MS) return known.used;
    const used = this.db
      .collection(name)
      .findOne({}, { projection: { _id: 1 } })
      .then((d) => d !== null);
    used.catch(() => this.legacy.delete(name));
    this.legacy.set(name, { at: Date.now(), used });
    return used;
  }

  /** The month collections, plus the legacy one if it holds anything, read with one filter in one batch each. */
  private async findIn(months: string[], legacy: string, filter: object, projection: object) {
    const names = (await this.legacyUsed(legacy)) ? [...months, legacy] : months;
    const docs = await Promise.all(
      names.map((name) =>
        this.db
          .collection(name)
          // One batch: a month is a few hundred documents, and each getMore is another round trip.
          .find(filter, { projection, batchSize: 5000 })
          .toArray(),
      ),
    );
    return docs.flat();
  }

  private match(f: KpiFilter): Record<string, unknown> {
    return {
      contractId: f.contractId,
      day: { $gte: f.from, $lte: f.to },
      ...(f.zoneId ? { zoneId: f.zoneId } : {}),
      ...(f.serviceLine ? { serviceLine: f.serviceLine } : {}),
    };
  }

  async rows(f: KpiFilter): Promise<RollupRow[]> {
    const docs = await this.findIn(kpiRollupsBetween(f.from, f.to), COLLECTIONS.kpiRollups, this.match(f), {
      zoneId: 1,
      serviceLine: 1,
      day: 1,
      c: 1,
    });
    return docs.map((d) => ({
      zoneId: (d.zoneId as string | null) ?? null,
      serviceLine: d.serviceLine as string,
      day: d.day as string,
      c: (d.c as KpiVector) ?? {},
    }));
  }

  /**
   * The rollups as they stood at `at`: the history holds every applied delta with the moment it was applied, so
   * summing those applied up to `at` gives exactly the counters an operator could read then.
   */
  async rowsAsOf(f: KpiFilter, at: Date): Promise<RollupRow[]> {
    const docs = await this.findIn(
      kpiHistoryBetween(f.from, f.to),
      COLLECTIONS.kpiHistory,
      { ...this.match(f), appliedAt: { $lte: at } },
      { zoneId: 1, serviceLine: 1, day: 1, d: 1 },
    );
    const byKey = new Map<string, RollupRow>();
    for (const d of docs) {
      const k = `${d.zoneId ?? '-'}|${d.serviceLine}|${d.day}`;
      const row = byKey.get(k) ?? {
        zoneId: (d.zoneId as string | null) ?? null,
        serviceLine: d.serviceLine as string,
        day: d.day as string,
        c: {},
      };
      row.c = addVectors(row.c, (d.d as KpiVector) ?? {});
      byKey.set(k, row);
    }
    return [...byKey.values()];
  }

  /**
   * Per-entity contributions of a contract's days: what the assessment turns into deductions. The worker inserts
   * one document per applied rev (it never updates them: FerretDB scans on updates), so keep each entity's
   * highest rev in the range, and drop the entity if that is a `gone` marker (it moved to another day or contract).
   */
  async contributions(contractId: string, from: string, to: string) {
    const docs = await this.db
      .collection(COLLECTIONS.kpiContributions)
      .find(
        { contractId, day: { $gte: from, $lte: to } },
        {
          projection: { kind: 1, entityId: 1, rev: 1, key: 1, vec: 1, ref: 1, day: 1, gone: 1 },
          batchSize: 5000,
        },
      )
      .toArray();
    const latest = new Map<string, (typeof docs)[number]>();
    for (const d of docs) {
      const k = `${d.kind}:${d.entityId}`;
      const had = latest.get(k);
      if (!had || d.rev > had.rev || (d.rev === had.rev && had.gone)) latest.set(k, d);
    }
    return [...latest.entries()]
      .filter(([, d]) => !d.gone)
      .sort(([a, x], [b, y]) => (x.day < y.day ? -1 : x.day > y.day ? 1 : a < b ? -1 : a > b ? 1 : 0))
      .map(([, d]) => d);
  }
}
