import { DomainError } from '../common/domain-error';
import {
  detectStops,
  parseTrackQuery,
  simplifyTrack,
  speedSeries,
  trackLengthM,
  type TrackPoint,
} from './track';

const t0 = 1_700_000_000_000;
const D = 0.0005; // ≈ 51 m of longitude, 55 m of latitude near 23° N

/** 60 fixes east, 48 parked, 30 north, one every 10 s. */
function lTrack(): TrackPoint[] {
  const pts: TrackPoint[] = [];
  for (let i = 0; i < 60; i++) pts.push({ ts: t0 + i * 10_000, lng: 113.3 + i * D, lat: 23.2, spd: 18 });
  for (let i = 0; i < 48; i++)
    pts.push({ ts: t0 + (60 + i) * 10_000, lng: 113.3 + 60 * D, lat: 23.2, spd: 0 });
  for (let i = 1; i <= 30; i++)
    pts.push({ ts: t0 + (107 + i) * 10_000, lng: 113.3 + 60 * D, lat: 23.2 + i * D, spd: 20 });
  return pts;
}

describe('track simplification', () => {
  it('keeps the corners of a straight-legged track and maps back to the original fixes', () => {
    const pts = lTrack();
    const s = simplifyTrack(pts, 5);
    expect(s[0]).toBe(pts[0]);
    expect(s.at(-1)).toBe(pts.at(-1));
    expect(s.length).toBeLessThanOrEqual(4);
    // The corner where the track turns north is kept.
    expect(s.some((p) => p.lng === 113.3 + 60 * D && p.lat === 23.2)).toBe(true);
    // A subsequence of the input, in time order.
    for (const p of s) expect(pts).toContain(p);
    expect(s.map((p) => p.ts)).toEqual([...s.map((p) => p.ts)].sort((a, b) => a - b));
  });

  it('treats the tolerance as metres: a 20 m zig-zag survives 5 m and disappears at 50 m', () => {
    // Zig-zag 20 m either side of a line going east (0.00018° of latitude ≈ 20 m).
    const pts: TrackPoint[] = Array.from({ length: 21 }, (_, i) => ({
      ts: t0 + i * 1000,
      lng: 113.3 + i * 0.001,
      lat: 23.2 + (i % 2 ? 0.00018 : 0),
    }));
    expect(simplifyTrack(pts, 5)).toHaveLength(21);
    expect(simplifyTrack(pts, 50)).toHaveLength(2);
  });

  it('returns short tracks and tolerance 0 unchanged, and survives a track that never moved', () => {
    const one = [{ ts: t0, lng: 113.3, lat: 23.2 }];
    expect(simplifyTrack(one, 5)).toEqual(one);
    expect(simplifyTrack([], 5)).toEqual([]);
    const pts = lTrack();
    expect(simplifyTrack(pts, 0)).toEqual(pts);
    const still = Array.from({ length: 5 }, (_, i) => ({ ts: t0 + i, lng: 113.3, lat: 23.2 }));
    const s = simplifyTrack(still, 5);
    expect(s[0]).toBe(still[0]);
    expect(s.at(-1)).toBe(still[4]);
  });
});

describe('stop detection', () => {
  it('finds the parked stretch with its start, end and position', () => {
    const stops = detectStops(lTrack(), { minDurationMs: 5 * 60_000, radiusM: 25 });
    expect(stops).toEqual([
      {
        start: t0 + 60 * 10_000,
        end: t0 + 107 * 10_000,
        durationS: 470,
        lng: expect.closeTo(113.3 + 60 * D, 9),
        lat: expect.closeTo(23.2, 9),
        points: 48,
      },
    ]);
  });

  it('ignores stops shorter than the minimum and counts GPS jitter inside the radius as stationary', () => {
    expect(detectStops(lTrack(), { minDurationMs: 8 * 60_000, radiusM: 25 })).toEqual([]);
    const jitter: TrackPoint[] = Array.from({ length: 40 }, (_, i) => ({
      ts: t0 + i * 15_000,
      lng: 113.3 + (i % 3) * 0.00005, // ≈ 5 m
      lat: 23.2 + (i % 2) * 0.00005,
    }));
    const [stop] = detectStops(jitter, { minDurationMs: 5 * 60_000, radiusM: 25 });
    expect(stop).toMatchObject({ start: t0, end: t0 + 39 * 15_000, points: 40 });
  });

  it('finds two stops separated by a drive', () => {
    const pts: TrackPoint[] = [];
    for (let i = 0; i < 10; i++) pts.push({ ts: t0 + i * 60_000, lng: 113.3, lat: 23.2 });
    for (let i = 1; i <= 5; i++) pts.push({ ts: t0 + (9 + i) * 60_000, lng: 113.3 + i * 0.002, lat: 23.2 });
    for (let i = 1; i <= 6; i++) pts.push({ ts: t0 + (14 + i) * 60_000, lng: 113.31, lat: 23.2 });
    const stops = detectStops(pts, { minDurationMs: 5 * 60_000, radiusM: 25 });
    expect(stops.map((s) => [s.start, s.end])).toEqual([
      [t0, t0 + 9 * 60_000],
      [t0 + 14 * 60_000, t0 + 20 * 60_000],
    ]);
  });
});

describe('speed series and length', () => {
  it('uses reported speeds and derives the others from distance over time', () => {
    const pts: TrackPoint[] = [
      { ts: t0, lng: 113.3, lat: 23.2 },
      { ts: t0 + 3_600_000, lng: 113.3, lat: 23.2 + 0.0089932 }, // ≈ 1 km north in an hour
      { ts: t0 + 3_600_000, lng: 113.3, lat: 23.21 },
      { ts: t0 + 3_700_000, lng: 113.3, lat: 23.21, spd: 7 },
    ];
    expect(speedSeries(pts)).toEqual([
      { ts: t0, spd: 0 },
      { ts: t0 + 3_600_000, spd: 1 },
      { ts: t0 + 3_600_000, spd: 0 },
      { ts: t0 + 3_700_000, spd: 7 },
    ]);
    expect(trackLengthM(pts.slice(0, 2))).toBe(1000);
  });
});

describe('track query', () => {
  const ok = { from: '2025-03-03T08:00:00+08:00', to: '2025-03-03T10:00:00+08:00' };

  it('accepts ISO times and epoch ms with defaults', () => {
    expect(parseTrackQuery(ok, 24)).toEqual({
      from: new Date('2025-03-03T00:00:00Z'),
      to: new Date('2025-03-03T02:00:00Z'),
      toleranceM: 5,
      raw: false,
      stopMin: 5,
    });
    const q = parseTrackQuery({ from: '1700000000000', to: '1700003600000', raw: '1', tolerance: '20' }, 24);
    expect(q).toMatchObject({ from: new Date(1_700_000_000_000), raw: true, toleranceM: 20 });
  });

  const problems = (q: Record<string, unknown>) => {
    try {
      parseTrackQuery(q, 24);
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).status).toBe(400);
      return (e as DomainError).messages;
    }
    throw new Error('accepted');
  };

  it('refuses missing, unreadable, backwards and too long ranges with what to fix', () => {
    expect(problems({})).toEqual([
      expect.stringContaining('from is required'),
      expect.stringContaining('to is required'),
    ]);
    expect(problems({ ...ok, from: 'yesterday' })).toEqual([
      expect.stringContaining('from "yesterday" is not'),
    ]);
    expect(problems({ from: ok.to, to: ok.from })).toEqual(['to must be after from']);
    expect(problems({ from: ok.from, to: ok.from })).toEqual(['to must be after from']);
    expect(problems({ from: '2025-03-03T00:00:00Z', to: '2025-03-04T00:00:01Z' })).toEqual([
      'the range from..to spans at most 24 h; ask for a shorter window',
    ]);
    expect(problems({ ...ok, tolerance: 'x', stopMin: '0', raw: 'yes' })).toEqual([
      'tolerance must be a number from 0 to 1000',
      'stopMin must be a number from 1 to 1440',
      'raw must be 1 or 0',
    ]);
  });
});
