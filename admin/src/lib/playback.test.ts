import {
  advance,
  detectStops,
  indexAt,
  metres,
  normaliseTrack,
  positionAt,
  spanOf,
  withSpeeds,
} from './playback';

const t0 = Date.parse('2026-11-27T00:00:00Z');
// About 111 m per 0.001° of latitude: a device driving north at ~40 km/h, then standing 5 minutes, then on.
const pts = [
  { ts: t0, lng: 113.27, lat: 23.16 },
  { ts: t0 + 10_000, lng: 113.27, lat: 23.161 },
  { ts: t0 + 20_000, lng: 113.27, lat: 23.162 },
  { ts: t0 + 80_000, lng: 113.27, lat: 23.162 },
  { ts: t0 + 200_000, lng: 113.27, lat: 23.16201 },
  { ts: t0 + 320_000, lng: 113.27, lat: 23.162 },
  { ts: t0 + 330_000, lng: 113.27, lat: 23.163 },
];

describe('track playback', () => {
  it('finds the point at or before a time', () => {
    expect(indexAt(pts, t0 - 1)).toBe(-1);
    expect(indexAt(pts, t0)).toBe(0);
    expect(indexAt(pts, t0 + 15_000)).toBe(1);
    expect(indexAt(pts, t0 + 999_999)).toBe(6);
  });

  it('interpolates between points and holds across a gap', () => {
    const p = positionAt(pts, t0 + 5_000)!;
    expect(p.lat).toBeCloseTo(23.1605, 6);
    expect(p.index).toBe(0);
    const gap = [
      { ts: t0, lng: 113.27, lat: 23.16 },
      { ts: t0 + 3_600_000, lng: 113.28, lat: 23.17 },
    ];
    expect(positionAt(gap, t0 + 1_800_000)).toMatchObject({ lng: 113.27, lat: 23.16 });
    expect(positionAt([], t0)).toBeNull();
  });

  it('derives speeds from distance when the device sent none', () => {
    const s = withSpeeds(pts);
    expect(s[0].spd).toBe(0);
    expect(s[1].spd).toBeGreaterThan(35);
    expect(s[1].spd).toBeLessThan(45);
    expect(metres(pts[0], pts[1])).toBeGreaterThan(100);
  });

  it('marks a stop of at least the minimum duration within the radius', () => {
    const stops = detectStops(pts, { radiusM: 30, minDurationMs: 3 * 60_000 });
    expect(stops).toHaveLength(1);
    expect(stops[0].start).toBe(t0 + 20_000);
    expect(stops[0].end).toBe(t0 + 320_000);
    expect(stops[0].durationS).toBe(300);
    expect(detectStops(pts, { radiusM: 30, minDurationMs: 10 * 60_000 })).toHaveLength(0);
  });

  it('reads the api answer in its forms and sorts by time', () => {
    const tr = normaliseTrack('veh-0001', {
      points: [
        { ts: new Date(t0 + 10_000).toISOString(), lng: 113.27, lat: 23.161, spd: 36 },
        { t: t0, coordinates: [113.27, 23.16] },
        { ts: 'nonsense', lng: 1, lat: 1 },
      ],
      stops: [{ start: t0, end: t0 + 60_000, lng: 113.27, lat: 23.16 }],
    });
    expect(tr.points.map((p) => p.ts)).toEqual([t0, t0 + 10_000]);
    expect(tr.points[1].spd).toBe(36);
    expect(tr.stops[0].durationS).toBe(60);
    expect(
      normaliseTrack(
        'x',
        pts.map((p) => ({ ...p, ts: p.ts / 1000 })),
      ).points[0].ts,
    ).toBe(t0);
  });

  it('reads GET /api/tracks/:deviceId: the simplified fixes (raw when asked), stops, and speeds for badges', () => {
    const body = {
      deviceId: 'bdg-0001',
      kind: 'badge',
      count: 3,
      truncated: false,
      lengthM: 120,
      simplified: [
        { ts: t0, lng: 113.27, lat: 23.16 },
        { ts: t0 + 60_000, lng: 113.271, lat: 23.16 },
      ],
      stops: [{ start: t0, end: t0 + 600_000, durationS: 600, lng: 113.27, lat: 23.16, points: 12 }],
      speeds: [
        { ts: t0, spd: 0 },
        { ts: t0 + 60_000, spd: 6.1 },
      ],
    };
    const tr = normaliseTrack('bdg-0001', body);
    expect(tr.points.map((p) => [p.ts, p.spd])).toEqual([
      [t0, 0],
      [t0 + 60_000, 6.1],
    ]);
    expect(tr.stops).toEqual([{ start: t0, end: t0 + 600_000, durationS: 600, lng: 113.27, lat: 23.16 }]);
    const raw = normaliseTrack('bdg-0001', { ...body, raw: [{ ts: t0 + 1000, lng: 1, lat: 2 }] });
    expect(raw.points).toHaveLength(1);
  });

  it('runs one clock over a team at a speed factor, clamped to the end', () => {
    const a = normaliseTrack('a', pts);
    const b = normaliseTrack('b', [{ ts: t0 - 60_000, lng: 113, lat: 23 }]);
    expect(spanOf([a, b])).toEqual({ start: t0 - 60_000, end: t0 + 330_000 });
    expect(spanOf([])).toBeNull();
    expect(advance(t0, 1000, 60, t0 + 330_000)).toBe(t0 + 60_000);
    expect(advance(t0, 1000, 600, t0 + 330_000)).toBe(t0 + 330_000);
  });
});
