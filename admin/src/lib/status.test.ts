import { coverageColor, formatRate, NO_COVERAGE_COLOR } from './coverage';
import { countByStatus, deviceStatus, OFFLINE_AFTER_MS, STATUS_COLORS } from './status';

const now = Date.parse('2026-11-27T08:00:00Z');
const dev = (o: object) => ({ id: 'veh-0001', lng: 113.27, lat: 23.16, at: now - 5_000, ...o });

describe('device status colours', () => {
  it('puts alarm above everything, then offline, then the api status, then speed', () => {
    expect(deviceStatus(dev({ alarms: 1, at: now - OFFLINE_AFTER_MS * 2 }), now)).toBe('alarm');
    expect(deviceStatus(dev({ at: now - OFFLINE_AFTER_MS - 1, status: 'working' }), now)).toBe('offline');
    expect(deviceStatus(dev({ status: 'idle', speedKmh: 30 }), now)).toBe('idle');
    expect(deviceStatus(dev({ speedKmh: 12 }), now)).toBe('working');
    expect(deviceStatus(dev({ speedKmh: 0, onTask: true }), now)).toBe('working');
    expect(deviceStatus(dev({ speedKmh: 0 }), now)).toBe('idle');
  });

  it('turns a silent device offline by the clock alone', () => {
    const d = dev({ status: 'working' });
    expect(deviceStatus(d, now)).toBe('working');
    expect(deviceStatus(d, now + OFFLINE_AFTER_MS + 10_000)).toBe('offline');
  });

  it('counts by status and has a colour for each', () => {
    const c = countByStatus(
      [dev({ speedKmh: 20 }), dev({ speedKmh: 0 }), dev({ alarms: 2 }), dev({ at: 0 })],
      now,
    );
    expect(c).toEqual({ working: 1, idle: 1, alarm: 1, offline: 1 });
    expect(new Set(Object.values(STATUS_COLORS)).size).toBe(4);
  });
});

describe('route colour by coverage', () => {
  it('runs red → amber → green against the target and is neutral without a figure', () => {
    expect(coverageColor(0)).toBe('#d32f2f');
    expect(coverageColor(1)).toBe('#2e7d32');
    expect(coverageColor(0.9, 0.9)).toBe('#2e7d32');
    expect(coverageColor(1.3)).toBe('#2e7d32');
    expect(coverageColor(0.5)).toBe('#f57c00');
    expect(coverageColor(null)).toBe(NO_COVERAGE_COLOR);
    expect(coverageColor(Number.NaN)).toBe(NO_COVERAGE_COLOR);
    const mid = coverageColor(0.65);
    expect(mid).not.toBe(coverageColor(0.5));
    expect(mid).not.toBe(coverageColor(0.8));
  });

  it('formats rates as percentages', () => {
    expect(formatRate(0.9234)).toBe('92.3%');
    expect(formatRate(undefined)).toBe('—');
  });
});
