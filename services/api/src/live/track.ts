import { distance, lineString, simplify, toMercator } from '@turf/turf';
import { badRequest } from '../common/domain-error';

export interface TrackPoint {
  /** Fix time, epoch ms. */
  ts: number;
  lng: number;
  lat: number;
  /** km/h as reported (gps terminals); badges report none. */
  spd?: number;
}

export interface Stop {
  start: number;
  end: number;
  durationS: number;
  lng: number;
  lat: number;
  points: number;
}

/**
 * Douglas–Peucker simplification for drawing (turf `simplify`), with the tolerance in metres. turf works in the
 * coordinates' own unit, so the line is simplified in Web Mercator, whose metres are stretched by 1/cos(latitude):
 * the tolerance is scaled by the same factor at the track's mean latitude. The result is a subsequence of the input
 * points (with their times and speeds), first and last always kept.
 */
export function simplifyTrack(points: readonly TrackPoint[], toleranceM: number): TrackPoint[] {
  if (points.length <= 2 || toleranceM <= 0) return [...points];
  const meanLat = points.reduce((s, p) => s + p.lat, 0) / points.length;
  const merc = toMercator(lineString(points.map((p) => [p.lng, p.lat]))).geometry.coordinates;
  const tolerance = toleranceM / Math.cos((meanLat * Math.PI) / 180);
  const kept = simplify(lineString(merc), { tolerance, highQuality: false }).geometry.coordinates;
  // Map the kept coordinates back to the points, in order (simplify returns the input's own coordinate values).
  const out: TrackPoint[] = [];
  let j = 0;
  for (const [x, y] of kept) {
    while (j < merc.length && (merc[j][0] !== x || merc[j][1] !== y)) j++;
    if (j >= merc.length) break;
    out.push(points[j]);
    j++;
  }
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}

export interface StopOptions {
  /** Stationary for at least this long is a stop. */
  minDurationMs: number;
  /** Every fix of a stop lies within this distance of its first fix (GPS jitter of a parked vehicle). */
  radiusM: number;
}

/**
 * Stops: runs of fixes that stay within `radiusM` of the run's first fix for at least `minDurationMs`. Greedy and
 * in time order, so stops never overlap; the position is the mean of the run's fixes.
 */
export function detectStops(points: readonly TrackPoint[], o: StopOptions): Stop[] {
  const stops: Stop[] = [];
  let i = 0;
  while (i < points.length) {
    const anchor = [points[i].lng, points[i].lat];
    let j = i + 1;
    while (
      j < points.length &&
      distance(anchor, [points[j].lng, points[j].lat], { units: 'meters' }) <= o.radiusM
    )
      j++;
    const last = points[j - 1];
    if (last.ts - points[i].ts >= o.minDurationMs) {
      const run = points.slice(i, j);
      stops.push({
        start: points[i].ts,
        end: last.ts,
        durationS: Math.round((last.ts - points[i].ts) / 1000),
        lng: run.reduce((s, p) => s + p.lng, 0) / run.length,
        lat: run.reduce((s, p) => s + p.lat, 0) / run.length,
        points: run.length,
      });
      i = j;
    } else {
      i++;
    }
  }
  return stops;
}

/**
 * Speed per fix for the speed chart, km/h: the reported speed where the device sends one (gps), else the distance
 * from the previous fix over the time between them (badges); 0 for the first fix of a badge track.
 */
export function speedSeries(points: readonly TrackPoint[]): { ts: number; spd: number }[] {
  return points.map((p, k) => {
    if (typeof p.spd === 'number') return { ts: p.ts, spd: p.spd };
    if (k === 0) return { ts: p.ts, spd: 0 };
    const prev = points[k - 1];
    const dt = (p.ts - prev.ts) / 3_600_000;
    const km = distance([prev.lng, prev.lat], [p.lng, p.lat], { units: 'kilometers' });
    return { ts: p.ts, spd: dt > 0 ? Math.round((km / dt) * 10) / 10 : 0 };
  });
}

/** Total length of the track in metres. */
export function trackLengthM(points: readonly TrackPoint[]): number {
  let m = 0;
  for (let k = 1; k < points.length; k++)
    m += distance([points[k - 1].lng, points[k - 1].lat], [points[k].lng, points[k].lat], {
      units: 'meters',
    });
  return Math.round(m);
}

export interface TrackQuery {
  from: Date;
  to: Date;
  toleranceM: number;
  raw: boolean;
  stopMin: number;
}

const TIME_HINT = 'an ISO 8601 time such as 2025-03-03T08:00:00+08:00, or epoch milliseconds';

function parseTime(name: string, v: unknown): Date | string {
  if (v === undefined || v === '') return `${name} is required (${TIME_HINT})`;
  const s = String(v);
  const d = /^\d+$/.test(s) ? new Date(Number(s)) : new Date(s);
  return Number.isNaN(d.getTime()) ? `${name} "${s}" is not ${TIME_HINT}` : d;
}

function parseNumber(name: string, v: unknown, dflt: number, min: number, max: number): number | string {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  return Number.isFinite(n) && n >= min && n <= max ? n : `${name} must be a number from ${min} to ${max}`;
}

/** Validates the track query: every problem in one 400. */
export function parseTrackQuery(q: Record<string, unknown>, maxRangeH: number): TrackQuery {
  const problems: string[] = [];
  const from = parseTime('from', q.from);
  const to = parseTime('to', q.to);
  const tol = parseNumber('tolerance', q.tolerance, 5, 0, 1000);
  const stopMin = parseNumber('stopMin', q.stopMin, 5, 1, 24 * 60);
  for (const v of [from, to, tol, stopMin]) if (typeof v === 'string') problems.push(v);
  if (q.raw !== undefined && !['0', '1', 'true', 'false'].includes(String(q.raw)))
    problems.push('raw must be 1 or 0');
  if (from instanceof Date && to instanceof Date) {
    if (to <= from) problems.push('to must be after from');
    else if (to.getTime() - from.getTime() > maxRangeH * 3_600_000)
      problems.push(`the range from..to spans at most ${maxRangeH} h; ask for a shorter window`);
  }
  if (problems.length) throw badRequest(problems);
  return {
    from: from as Date,
    to: to as Date,
    toleranceM: tol as number,
    raw: q.raw === '1' || q.raw === 'true',
    stopMin: stopMin as number,
  };
}
