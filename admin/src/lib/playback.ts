import distance from '@turf/distance';

/**
 * Track playback: the positions of one device over a time range, replayed at a chosen speed. Points come from
 * `GET /api/tracks/:deviceId` (`{simplified, raw?, stops, speeds}`, fixes `{ts, lng, lat, spd?}` in epoch ms;
 * docs/api.md); the console interpolates between them, marks stops and draws the speed chart. Badges report no
 * speed: the api's `speeds` (distance / time per fix) fill it in.
 */
export interface TrackPoint {
  ts: number;
  lng: number;
  lat: number;
  /** km/h */
  spd?: number;
}

export interface Stop {
  start: number;
  end: number;
  durationS: number;
  lng: number;
  lat: number;
}

export interface Track {
  deviceId: string;
  points: TrackPoint[];
  stops: Stop[];
}

function toMs(v: unknown): number {
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') return Date.parse(v);
  return NaN;
}

export function normaliseTrack(deviceId: string, body: unknown): Track {
  const b = (body ?? {}) as Record<string, unknown>;
  const rawPoints = (
    Array.isArray(body) ? body : (b.raw ?? b.simplified ?? b.points ?? b.track ?? b.data ?? [])
  ) as Record<string, unknown>[];
  const speedAt = new Map<number, number>();
  if (Array.isArray(b.speeds))
    for (const s of b.speeds as { ts?: unknown; spd?: unknown }[])
      if (typeof s.spd === 'number') speedAt.set(toMs(s.ts), s.spd);
  const points = rawPoints
    .map((p) => {
      const c = Array.isArray(p.coordinates) ? (p.coordinates as number[]) : null;
      const loc = p.loc as { coordinates?: number[] } | undefined;
      return {
        ts: toMs(p.ts ?? p.t ?? p.at),
        lng: Number(c?.[0] ?? loc?.coordinates?.[0] ?? p.lng),
        lat: Number(c?.[1] ?? loc?.coordinates?.[1] ?? p.lat),
        spd: typeof (p.spd ?? p.speed) === 'number' ? Number(p.spd ?? p.speed) : undefined,
      };
    })
    .map((p) => {
      if (p.spd === undefined && speedAt.has(p.ts)) p.spd = speedAt.get(p.ts);
      return p;
    })
    .filter((p) => Number.isFinite(p.ts) && Number.isFinite(p.lng) && Number.isFinite(p.lat))
    .sort((a, b) => a.ts - b.ts);
  const stops = Array.isArray(b.stops)
    ? (b.stops as Record<string, unknown>[]).map((s) => {
        const start = toMs(s.start ?? s.from);
        const end = toMs(s.end ?? s.to);
        return {
          start,
          end,
          durationS: Number(s.durationS ?? (end - start) / 1000),
          lng: Number(s.lng),
          lat: Number(s.lat),
        };
      })
    : detectStops(points);
  return { deviceId, points: withSpeeds(points), stops };
}

export function metres(a: { lng: number; lat: number }, b: { lng: number; lat: number }): number {
  return distance([a.lng, a.lat], [b.lng, b.lat], { units: 'meters' });
}

/** Fills missing speeds from the distance to the previous point. */
export function withSpeeds(points: TrackPoint[]): TrackPoint[] {
  return points.map((p, i) => {
    if (p.spd !== undefined || i === 0) return { ...p, spd: p.spd ?? 0 };
    const prev = points[i - 1];
    const dt = (p.ts - prev.ts) / 3_600_000;
    return { ...p, spd: dt > 0 ? metres(prev, p) / 1000 / dt : 0 };
  });
}

/** Index of the last point at or before t (binary search); -1 before the first. */
export function indexAt(points: readonly TrackPoint[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0 || t < points[0].ts) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid].ts <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Position at time t, linearly interpolated between the surrounding points. A gap longer than maxGapMs (the
 * device was off) is not interpolated: the marker waits at the last known point.
 */
export function positionAt(
  points: readonly TrackPoint[],
  t: number,
  maxGapMs = 5 * 60_000,
): { lng: number; lat: number; spd: number; index: number } | null {
  const i = indexAt(points, t);
  if (i < 0) return points.length ? { ...points[0], spd: points[0].spd ?? 0, index: 0 } : null;
  const a = points[i];
  const b = points[i + 1];
  if (!b || b.ts - a.ts > maxGapMs || b.ts === a.ts)
    return { lng: a.lng, lat: a.lat, spd: a.spd ?? 0, index: i };
  const f = (t - a.ts) / (b.ts - a.ts);
  return {
    lng: a.lng + (b.lng - a.lng) * f,
    lat: a.lat + (b.lat - a.lat) * f,
    spd: (a.spd ?? 0) + ((b.spd ?? 0) - (a.spd ?? 0)) * f,
    index: i,
  };
}

/** Stops: stretches of at least minDurationMs during which the device stays within radiusM of where it stopped. */
export function detectStops(
  points: readonly TrackPoint[],
  o: { radiusM: number; minDurationMs: number } = { radiusM: 30, minDurationMs: 3 * 60_000 },
): Stop[] {
  const stops: Stop[] = [];
  let i = 0;
  while (i < points.length) {
    let j = i + 1;
    while (j < points.length && metres(points[i], points[j]) <= o.radiusM) j++;
    const last = points[j - 1];
    if (last.ts - points[i].ts >= o.minDurationMs) {
      stops.push({
        start: points[i].ts,
        end: last.ts,
        durationS: Math.round((last.ts - points[i].ts) / 1000),
        lng: points[i].lng,
        lat: points[i].lat,
      });
      i = j;
    } else i++;
  }
  return stops;
}

/** Playback clock: real elapsed ms × speed factor, clamped to the track's span. */
export function advance(t: number, elapsedMs: number, speed: number, end: number): number {
  return Math.min(end, t + elapsedMs * speed);
}

export const PLAYBACK_SPEEDS = [1, 10, 30, 60, 120, 300] as const;

/**
 * A team's playback shares one clock: its members' tracks are merged into one time span.
 */
export function spanOf(tracks: readonly Track[]): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const t of tracks)
    if (t.points.length) {
      start = Math.min(start, t.points[0].ts);
      end = Math.max(end, t.points[t.points.length - 1].ts);
    }
  return Number.isFinite(start) ? { start, end } : null;
}
