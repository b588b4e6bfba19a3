import { offset, ORIGIN, square } from '../evidence/test-geometry';
import { PreparedPolygon } from '../evidence/geo';
import {
  DEFAULT_ALARM_RULES,
  evaluateDevice,
  offlineEvents,
  resolveAlarmRules,
  type AlarmEvent,
  type AlarmPoint,
  type DeviceContext,
} from './rules';

const MIN = 60_000;
const zone = new PreparedPolygon(square(ORIGIN, 200));
const inside = offset(ORIGIN, 100, 100);
const outside = offset(ORIGIN, 600, 100);
const badge: DeviceContext = {
  deviceId: 'bdg-1',
  kind: 'badge',
  dutyAt: (ts) =>
    ts >= 0 && ts < 480 * MIN ? { taskId: 'post-1', inZone: (x, y) => zone.contains(x, y) } : null,
};
const at = (p: [number, number], ts: number, extra: Partial<AlarmPoint> = {}): AlarmPoint => ({
  ts,
  lng: p[0],
  lat: p[1],
  ...extra,
});
const every = (p: [number, number], fromMin: number, toMin: number, extra: Partial<AlarmPoint> = {}) =>
  Array.from({ length: toMin - fromMin }, (_, i) => at(p, (fromMin + i) * MIN, extra));
const raised = (events: AlarmEvent[]) => [
  ...new Set(events.filter((e) => e.op === 'raise').map((e) => (e.op === 'raise' ? e.signal.key : ''))),
];

describe('alarm rules', () => {
  it('raises off_post once a badge has been outside its zone longer than the threshold, and clears on return', () => {
    const short = evaluateDevice(badge, DEFAULT_ALARM_RULES, {}, [
      ...every(inside, 0, 10),
      ...every(outside, 10, 20),
      ...every(inside, 20, 30),
    ]);
    expect(raised(short.events)).toEqual([]);
    const long = evaluateDevice(badge, DEFAULT_ALARM_RULES, {}, [
      ...every(inside, 0, 10),
      ...every(outside, 10, 30),
    ]);
    expect(raised(long.events)).toEqual(['off_post|post-1']);
    expect(long.state.outsideSince).toBe(10 * MIN);
    // The next batch: back inside clears the condition.
    const back = evaluateDevice(badge, DEFAULT_ALARM_RULES, long.state, every(inside, 30, 32));
    // (the jump back also reads as a fast move, which clears at once: only the zone matters here)
    expect(back.events.filter((e) => e.op === 'clear' && e.key.startsWith('off_post'))).toEqual([
      { op: 'clear', key: 'off_post|post-1', ts: 30 * MIN },
    ]);
    expect(raised(back.events)).toEqual([]);
  });

  it('keeps an episode across batches, and ignores records older than the last one for stateful rules', () => {
    const a = evaluateDevice(badge, DEFAULT_ALARM_RULES, {}, every(outside, 0, 10));
    expect(raised(a.events)).toEqual([]);
    const b = evaluateDevice(badge, DEFAULT_ALARM_RULES, a.state, every(outside, 10, 16));
    expect(raised(b.events)).toEqual(['off_post|post-1']);
    const late = evaluateDevice(badge, DEFAULT_ALARM_RULES, b.state, every(inside, 3, 5));
    expect(late.events).toEqual([]);
  });

  it("reaches the same episode when a device's batches are evaluated out of order", () => {
    const first = [...every(inside, 0, 10), ...every(outside, 10, 35)];
    const second = every(outside, 35, 40);
    const reversed = evaluateDevice(badge, DEFAULT_ALARM_RULES, {}, second);
    expect(raised(reversed.events)).toEqual([]);
    const then = evaluateDevice(badge, DEFAULT_ALARM_RULES, reversed.state, first);
    expect(raised(then.events)).toEqual(['off_post|post-1']);
    expect(then.state.outsideSince).toBe(10 * MIN);
  });

  it('uses the contract threshold and honours disabled types', () => {
    const rules = resolveAlarmRules({ offPostMin: 5 });
    expect(raised(evaluateDevice(badge, rules, {}, every(outside, 0, 7)).events)).toEqual([
      'off_post|post-1',
    ]);
    const off = resolveAlarmRules({ disabled: ['off_post'] });
    expect(raised(evaluateDevice(badge, off, {}, every(outside, 0, 30)).events)).toEqual([]);
  });

  it('raises SOS and low battery with hysteresis', () => {
    const r = evaluateDevice(badge, DEFAULT_ALARM_RULES, {}, [
      at(inside, 0, { evt: 'sos', bat: 50 }),
      at(inside, MIN, { bat: 19 }),
      at(inside, 2 * MIN, { bat: 25 }),
      at(inside, 3 * MIN, { bat: 31 }),
    ]);
    expect(r.events.map((e) => (e.op === 'raise' ? `raise ${e.signal.key}` : `clear ${e.key}`))).toEqual([
      'raise sos|bdg-1',
      'clear low_battery|bdg-1',
      'raise low_battery|bdg-1',
      'clear low_battery|bdg-1',
    ]);
  });

  it('raises overspeed by vehicle type only when sustained, and stopped_too_long on shift', () => {
    const truck: DeviceContext = {
      deviceId: 'veh-1',
      kind: 'gps',
      vehicleType: 'sweeper',
      dutyAt: () => ({ taskId: 'route-1', inZone: null }),
    };
    const blip = evaluateDevice(truck, DEFAULT_ALARM_RULES, {}, [
      at(inside, 0, { spd: 45 }),
      at(inside, 10_000, { spd: 10 }),
    ]);
    expect(raised(blip.events)).toEqual([]);
    const fast = evaluateDevice(
      truck,
      DEFAULT_ALARM_RULES,
      {},
      [0, 10, 20, 30, 40].map((s) => at(inside, s * 1000, { spd: 45 })),
    );
    expect(raised(fast.events)).toEqual(['overspeed|veh-1']);
    const patrol = { ...truck, vehicleType: 'patrol_car' };
    expect(
      raised(
        evaluateDevice(
          patrol,
          DEFAULT_ALARM_RULES,
          {},
          [0, 10, 20, 30, 40].map((s) => at(inside, s * 1000, { spd: 45 })),
        ).events,
      ),
    ).toEqual([]);
    const parked = evaluateDevice(truck, DEFAULT_ALARM_RULES, {}, every(inside, 0, 35, { spd: 0 }));
    expect(raised(parked.events)).toEqual(['stopped_too_long|route-1']);
  });

  it('raises zone_exit for a vehicle outside its shift zone', () => {
    const v: DeviceContext = {
      deviceId: 'veh-2',
      kind: 'gps',
      vehicleType: 'compactor_truck',
      dutyAt: () => ({ taskId: 'online-1', inZone: (x, y) => zone.contains(x, y) }),
    };
    expect(
      raised(evaluateDevice(v, DEFAULT_ALARM_RULES, {}, every(outside, 0, 3, { spd: 20 })).events),
    ).toEqual([]);
    expect(
      raised(evaluateDevice(v, DEFAULT_ALARM_RULES, {}, every(outside, 0, 7, { spd: 20 })).events),
    ).toEqual(['zone_exit|online-1']);
  });

  it('raises badge_in_vehicle for a badge moving at vehicle speed for long', () => {
    // 500 m a minute = 30 km/h, for 8 minutes.
    const ride = Array.from({ length: 9 }, (_, i) => at(offset(ORIGIN, i * 500, 0), i * MIN));
    const free: DeviceContext = { ...badge, dutyAt: () => null };
    expect(raised(evaluateDevice(free, DEFAULT_ALARM_RULES, {}, ride).events)).toEqual([
      'badge_in_vehicle|bdg-1',
    ]);
    const walk = Array.from({ length: 9 }, (_, i) => at(offset(ORIGIN, i * 60, 0), i * MIN));
    expect(raised(evaluateDevice(free, DEFAULT_ALARM_RULES, {}, walk).events)).toEqual([]);
  });

  it('sweeps devices on duty: silent longer than the threshold is offline, reporting clears', () => {
    const duty = [
      { deviceId: 'veh-1', taskId: 't1', windowStart: 0, offlineMin: 10, disabled: false },
      { deviceId: 'veh-2', taskId: 't2', windowStart: 0, offlineMin: 10, disabled: false },
      { deviceId: 'veh-3', taskId: 't3', windowStart: 0, offlineMin: 10, disabled: false },
    ];
    const ev = offlineEvents(
      duty,
      new Map([
        ['veh-1', 25 * MIN],
        ['veh-2', 5 * MIN],
      ]),
      30 * MIN,
    );
    expect(ev.map((e) => (e.op === 'raise' ? `raise ${e.signal.key}` : `clear ${e.key}`))).toEqual([
      'clear device_offline|veh-1',
      'raise device_offline|veh-2',
      'raise device_offline|veh-3',
    ]);
  });
});
