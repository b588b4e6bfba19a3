import { addVectors, kpiRates, type KpiRates, type KpiVector } from '@dwg/contracts';
import { badRequest } from '../common/domain-error';

/** Longest KPI range one request may ask for (OWASP API4): a year of days. */
export const MAX_KPI_DAYS = 366;
export const GRANULARITIES = ['day', 'week', 'month', 'total'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

const toUtc = (day: string) => Date.parse(`${day}T00:00:00Z`);
const fromUtc = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function isDay(s: unknown): s is string {
  return typeof s === 'string' && DAY_RE.test(s) && fromUtc(toUtc(s)) === s;
}

/** Service day (Asia/Shanghai) of an instant. */
export function serviceDay(at: Date): string {
  return fromUtc(at.getTime() + 8 * 3_600_000);
}

export function monthRange(month: string): { from: string; to: string } {
  if (!MONTH_RE.test(month)) throw badRequest(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** from/to (inclusive service days) or month=YYYY-MM; checks order and span. */
export function parseRange(q: { from?: unknown; to?: unknown; month?: unknown }): {
  from: string;
  to: string;
} {
  if (q.month !== undefined && q.month !== '') {
    if (q.from !== undefined || q.to !== undefined)
      throw badRequest('give either month or from/to, not both');
    return monthRange(String(q.month));
  }
  const problems: string[] = [];
  if (!isDay(q.from)) problems.push('from must be a service day YYYY-MM-DD (or give month=YYYY-MM)');
  if (!isDay(q.to)) problems.push('to must be a service day YYYY-MM-DD (or give month=YYYY-MM)');
  if (problems.length) throw badRequest(problems);
  const from = q.from as string;
  const to = q.to as string;
  if (from > to) throw badRequest(`from (${from}) is after to (${to})`);
  const span = (toUtc(to) - toUtc(from)) / 86_400_000 + 1;
  if (span > MAX_KPI_DAYS) throw badRequest(`range spans ${span} days; at most ${MAX_KPI_DAYS}`);
  return { from, to };
}

export function parseGranularity(g: unknown): Granularity {
  if (g === undefined || g === '') return 'day';
  if (!GRANULARITIES.includes(g as Granularity))
    throw badRequest(`granularity must be one of ${GRANULARITIES.join(', ')}`);
  return g as Granularity;
}

/** The period a day falls in: the day itself, the Monday of its ISO week, its month, or the whole range. */
export function periodOf(day: string, g: Granularity): string {
  switch (g) {
    case 'day':
      return day;
    case 'week': {
      const ms = toUtc(day);
      const dow = (new Date(ms).getUTCDay() + 6) % 7; // Monday = 0
      return fromUtc(ms - dow * 86_400_000);
    }
    case 'month':
      return day.slice(0, 7);
    case 'total':
      return 'total';
  }
}

export interface RollupRow {
  zoneId: string | null;
  serviceLine: string;
  day: string;
  c: KpiVector;
}

export interface KpiCell {
  counters: KpiVector;
  rates: KpiRates;
}

export interface KpiSeriesPoint extends KpiCell {
  period: string;
  from: string;
  to: string;
}

const cell = (counters: KpiVector): KpiCell => ({ counters, rates: kpiRates(counters) });

/** Sums rows into periods (trend) and a total; rates come from the summed counters, never from averaged rates. */
export function aggregate(rows: RollupRow[], g: Granularity): { total: KpiCell; series: KpiSeriesPoint[] } {
  const byPeriod = new Map<string, { from: string; to: string; c: KpiVector }>();
  let total: KpiVector = {};
  for (const r of rows) {
    const p = periodOf(r.day, g);
    const cur = byPeriod.get(p) ?? { from: r.day, to: r.day, c: {} };
    cur.c = addVectors(cur.c, r.c ?? {});
    if (r.day < cur.from) cur.from = r.day;
    if (r.day > cur.to) cur.to = r.day;
    byPeriod.set(p, cur);
    total = addVectors(total, r.c ?? {});
  }
  const series = [...byPeriod.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, v]) => ({ period, from: v.from, to: v.to, ...cell(v.c) }));
  return { total: cell(total), series };
}

/** Zones ranked by one rate (nulls last); ties keep zone order. */
export function rankZones(
  rows: RollupRow[],
  metric: keyof KpiRates,
  order: 'asc' | 'desc',
): { zoneId: string | null; value: number | null; counters: KpiVector; rates: KpiRates }[] {
  const byZone = new Map<string, RollupRow[]>();
  for (const r of rows) {
    const k = r.zoneId ?? '-';
    byZone.set(k, [...(byZone.get(k) ?? []), r]);
  }
  const list = [...byZone.entries()].map(([z, rs]) => {
    const { total } = aggregate(rs, 'total');
    const v = total.rates[metric];
    return { zoneId: z === '-' ? null : z, value: typeof v === 'number' ? v : null, ...total };
  });
  const sign = order === 'asc' ? 1 : -1;
  return list.sort((a, b) => {
    if (a.value === null) return b.value === null ? 0 : 1;
    if (b.value === null) return -1;
    return sign * (a.value - b.value);
  });
}
