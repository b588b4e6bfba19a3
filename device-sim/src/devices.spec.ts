import { bearing, booleanPointInPolygon, distance } from '@turf/turf';
import { decodeMessage, type BadgeRecord, type GpsRecord } from '@dwg/contracts';
import { BadgeModel, SPEEDS, VehicleModel, createDeviceModel, type DeviceRecord } from './devices';
import { buildWorld, routeCoords, zonePolygon, type LngLat } from './world';

const world = buildWorld({ seed: 7 });
const T0 = Date.UTC(2026, 10, 27, 0, 0, 0);
const vehicle = (id: string, i: number, seed = 7) =>
  createDeviceModel(world, { deviceId: id, kind: 'gps' }, i, {
    seed,
    startTs: T0,
    intervalMs: 5000,
  }) as VehicleModel;
const badge = (id: string, i: number, seed = 7) =>
  createDeviceModel(world, { deviceId: id, kind: 'badge' }, i, {
    seed,
    startTs: T0,
    intervalMs: 30_000,
  }) as BadgeModel;
/** Metres from p to the polyline, on a local flat projection (ample over a 3 km district, and fast). */
function metresToLine(p: LngLat, line: LngLat[]): number {
  const kx = 111_320 * Math.cos((p[1] * Math.PI) / 180);
  const ky = 110_574;
  const xy = (c: LngLat) => [(c[0] - p[0]) * kx, (c[1] - p[1]) * ky];
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [ax, ay] = xy(line[i - 1]);
    const [bx, by] = xy(line[i]);
    const [dx, dy] = [bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy || 1)));
    best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
  }
  return best;
}
const take = <R>(m: { next(o?: { last?: boolean }): R }, n: number) =>
  Array.from({ length: n }, (_, i) => m.next({ last: i === n - 1 }));

describe('device models', () => {
  it('produce the same records for the same seed and other records for another seed', () => {
    expect(take(vehicle('veh-a', 0), 50)).toEqual(take(vehicle('veh-a', 0), 50));
    expect(take(badge('bdg-a', 0), 50)).toEqual(take(badge('bdg-a', 0), 50));
    expect(take(vehicle('veh-a', 0, 8), 5)).not.toEqual(take(vehicle('veh-a', 0), 5));
    // The device id seeds its own stream: two vehicles on the same route do not move in lockstep.
    expect(take(vehicle('veh-b', 0), 5).map((r) => r.lat)).not.toEqual(
      take(vehicle('veh-a', 0), 5).map((r) => r.lat),
    );
  });

  it('number records from startSeq, wrap after 2^32-1, and space ts by the interval on a virtual clock', () => {
    const m = createDeviceModel(world, { deviceId: 'veh-w', kind: 'gps' }, 0, {
      seed: 1,
      startTs: T0,
      intervalMs: 5000,
      startSeq: 4294967294,
    });
    const recs = take<DeviceRecord>(m, 4);
    expect(recs.map((r) => r.seq)).toEqual([4294967294, 4294967295, 0, 1]);
    expect(recs.map((r) => r.ts - T0)).toEqual([0, 5000, 10000, 15000]);
    expect(m.nextTs).toBe(T0 + 20000);
    expect(() => m.next({ ts: T0 + 15000 })).toThrow(/not after/);
    expect(m.next({ ts: T0 + 17000 }).ts).toBe(T0 + 17000);
  });

  it('produce only records that the platform validator accepts', () => {
    const receivedAt = new Date(T0 + 24 * 3600_000);
    let checked = 0;
    for (let i = 0; i < 30; i++) {
      for (const [model, n] of [
        [vehicle(`veh-${i}`, i), 300],
        [badge(`bdg-${i}`, i), 120],
      ] as const) {
        const recs = take<DeviceRecord>(model, n);
        const d = decodeMessage(`dwg/v1/${model.deviceId}/${model.kind}`, Buffer.from(JSON.stringify(recs)), {
          receivedAt,
          lateAfterMs: 60_000,
        });
        expect(d.rejections).toEqual([]);
        expect(d.points).toHaveLength(n);
        checked += n;
      }
    }
    expect(checked).toBe(30 * 420);
  });

  it('drive vehicles along their route at the speed of what they are doing, heading along the road', () => {
    let headingPairs = 0;
    let headingOk = 0;
    const seenOps = { on: 0, off: 0 };
    const bad: string[] = [];
    for (let i = 0; i < 24; i++) {
      const m = vehicle(`veh-${i}`, i);
      const line = routeCoords(m.route);
      const recs: GpsRecord[] = take(m, 400);
      // Violations are collected so that one failure shows them all (and thousands of expect calls stay cheap).
      for (const r of recs) {
        const off = metresToLine([r.lng, r.lat], line);
        if (off >= 5) bad.push(`${m.deviceId} seq ${r.seq}: ${off.toFixed(1)} m off its route`);
        if (!(Number.isInteger(r.hdg) && r.hdg >= 0 && r.hdg <= 359))
          bad.push(`${m.deviceId} seq ${r.seq}: hdg ${r.hdg}`);
        const operating = Object.values(r.ops ?? {}).some(Boolean);
        // A refuse truck's lift shows only while it stands at a bin, so its record does not tell the leg's regime.
        const [lo, hi] =
          m.vehicleType === 'refuse'
            ? [SPEEDS.refuse.ops[0], SPEEDS.refuse.transfer[1]]
            : SPEEDS[m.vehicleType][operating ? 'ops' : 'transfer'];
        if (r.spd > 0 && (r.ign !== true || r.spd < lo || r.spd > hi))
          bad.push(
            `${m.deviceId} seq ${r.seq}: ${m.vehicleType} at ${r.spd} km/h, ops ${operating}, ign ${r.ign}`,
          );
        // Brushes and sprays stop with the vehicle; only a refuse truck's lift works standing.
        if (r.spd === 0 && operating && m.vehicleType !== 'refuse')
          bad.push(`${m.deviceId} seq ${r.seq}: operating at 0 km/h`);
        if (r.ign === false && r.spd !== 0)
          bad.push(`${m.deviceId} seq ${r.seq}: moving with the ignition off`);
        if (m.vehicleType === 'sweeper') seenOps[r.ops?.sweep ? 'on' : 'off']++;
      }
      for (let k = 0; k + 1 < recs.length; k++) {
        const [a, b] = [recs[k], recs[k + 1]];
        // Over a straight stretch at transfer speed the track's bearing shows the reported heading.
        if (a.spd < 20 || b.spd < 20 || a.hdg !== b.hdg) continue;
        headingPairs++;
        const diff = Math.abs(((bearing([a.lng, a.lat], [b.lng, b.lat]) - a.hdg + 540) % 360) - 180);
        if (diff < 20) headingOk++;
        // Moving at spd for one interval covers about spd/3.6 * 5 m (plus a few metres of fix noise).
        const moved = distance([a.lng, a.lat], [b.lng, b.lat], { units: 'meters' });
        if (moved > (a.spd / 3.6) * 5 + 8)
          bad.push(`${m.deviceId} seq ${a.seq}: ${moved.toFixed(0)} m in 5 s at ${a.spd} km/h`);
      }
    }
    expect(bad).toEqual([]);
    expect(headingPairs).toBeGreaterThan(200);
    expect(headingOk / headingPairs).toBeGreaterThan(0.95);
    expect(seenOps.on).toBeGreaterThan(100);
    expect(seenOps.off).toBeGreaterThan(100);
  });

  it('keep badges inside their zone, clocking in first and out last, with the battery draining', () => {
    const bad: string[] = [];
    for (let i = 0; i < 40; i++) {
      const m = badge(`bdg-${i}`, i);
      expect(m.zone).toBe(world.zones[i % world.zones.length]);
      const poly = zonePolygon(m.zone);
      const recs: BadgeRecord[] = take(m, 240); // a 2-hour shift at 30 s
      expect(recs.map((r) => r.evt)).toEqual(['in', ...Array(238).fill('hb'), 'out']);
      for (const r of recs)
        if (!booleanPointInPolygon([r.lng, r.lat], poly))
          bad.push(`${m.deviceId} seq ${r.seq} outside ${m.zone.id}`);
      const bats = recs.map((r) => r.bat as number);
      for (let k = 1; k < bats.length; k++)
        if (bats[k] > bats[k - 1]) bad.push(`${m.deviceId} seq ${recs[k].seq}: battery rose`);
      expect(bats[0] - bats[bats.length - 1]).toBeGreaterThanOrEqual(3); // 2-6 % an hour over 2 hours
      expect(Math.min(...bats)).toBeGreaterThanOrEqual(1);
      const steps = recs
        .slice(1)
        .map((r, k) => distance([recs[k].lng, recs[k].lat], [r.lng, r.lat], { units: 'meters' }));
      // Walking pace (at most 5 km/h for 30 s) plus fix noise; and the worker does walk around the zone.
      expect(Math.max(...steps)).toBeLessThan((5 / 3.6) * 30 + 16);
      expect(steps.reduce((x, y) => x + y, 0)).toBeGreaterThan(500);
    }
    expect(bad).toEqual([]);
  });

  it('press SOS only when asked to', () => {
    const quiet = take(badge('bdg-sos', 0), 200);
    expect(quiet.filter((r) => r.evt === 'sos')).toHaveLength(0);
    const m = new BadgeModel('bdg-sos', {
      seed: 7,
      startTs: T0,
      intervalMs: 30_000,
      zone: world.zones[0],
      sosRate: 0.1,
    });
    const n = take(m, 200).filter((r) => r.evt === 'sos').length;
    expect(n).toBeGreaterThan(5);
    expect(n).toBeLessThan(40);
  });
});
