/**
 * The dashboard's KPI figures from `GET /api/kpis` (issue 6): `{contractId, from, to, granularity,
 * total: {counters, rates}, series: [{period, from, to, counters, rates}]}`, rates by the names of KpiRates
 * (services/libs/contracts/src/kpi.ts); a rate is null when its denominator is 0.
 */
export const KPI_CARDS = [
  'attendanceRate',
  'onPostRate',
  'vehicleOnlineRate',
  'routeCoverageRate',
  'taskCompletionRate',
  'woOnTimeRate',
] as const;
export type KpiName = (typeof KPI_CARDS)[number];

export interface KpiView {
  totals: Partial<Record<KpiName, number>>;
  series: ({ date: string } & Partial<Record<KpiName, number>>)[];
}

type Raw = Record<string, unknown>;

function rate(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v && typeof v === 'object' && typeof (v as Raw).value === 'number') return (v as Raw).value as number;
  if (v && typeof v === 'object' && typeof (v as Raw).rate === 'number') return (v as Raw).rate as number;
  return undefined;
}

function pickRates(o: Raw): Partial<Record<KpiName, number>> {
  const out: Partial<Record<KpiName, number>> = {};
  const rates = (o.rates && typeof o.rates === 'object' ? o.rates : o) as Raw;
  for (const k of KPI_CARDS) {
    const v = rate(rates[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function normaliseKpis(body: unknown): KpiView {
  const b = (body ?? {}) as Raw;
  const seriesRaw = (Array.isArray(body) ? body : (b.series ?? b.buckets ?? b.data ?? [])) as Raw[];
  const series = seriesRaw
    .map((r) => ({ date: String(r.date ?? r.day ?? r.period ?? r.bucket ?? ''), ...pickRates(r) }))
    .filter((r) => r.date);
  let totals = pickRates((b.total ?? b.totals ?? b.summary ?? b) as Raw);
  if (!Object.keys(totals).length && series.length) totals = pickRates(series[series.length - 1]);
  return { totals, series };
}

export interface RankingRow {
  name: string;
  value: number;
}

/** `GET /api/kpis/ranking?metric=…` → `{metric, ranking: [{rank, zoneId, zoneName, value, rates}]}`; nulls dropped. */
export function normaliseRanking(body: unknown, kpi: KpiName = 'routeCoverageRate'): RankingRow[] {
  const b = (body ?? {}) as Raw;
  const rows = (Array.isArray(body) ? body : (b.rows ?? b.ranking ?? b.data ?? [])) as Raw[];
  return rows
    .map((r) => ({
      name: String(r.zoneName ?? r.name ?? r.zoneId ?? r.id ?? ''),
      value: rate(r.value ?? (r.rates as Raw | undefined)?.[kpi] ?? r[kpi]) ?? NaN,
    }))
    .filter((r) => r.name && Number.isFinite(r.value))
    .sort((a, b) => b.value - a.value);
}

/** Service-day dates (Asia/Shanghai, UTC+8) for the default filter: the last n days up to today. */
export function lastDays(n: number, now = Date.now()): { from: string; to: string } {
  const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
  return { from: day(now - (n - 1) * 86_400_000), to: day(now) };
}

/** Counts by a field (alarms by status, work orders by state) for the small bar charts. */
export function countBy<T extends Raw>(rows: T[], field: string): { name: string; count: number }[] {
  const m = new Map<string, number>();
  for (const r of rows) {
    const k = String(r[field] ?? 'unknown');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()].map(([name, count]) => ({ name, count }));
}
