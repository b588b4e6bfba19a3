import { deriveStatus, type StatusInput } from './live-status';

const o = { offlineAfterMs: 300_000, movingKmh: 3 };
const now = 1_700_000_000_000;
const seen = (over: Partial<StatusInput> = {}): StatusInput => ({
  lastSeenAt: now - 10_000,
  lastFixAt: now - 10_000,
  openAlarms: 0,
  ...over,
});

describe('live status', () => {
  it('is working when moving or with an operation on, idle otherwise', () => {
    expect(deriveStatus(seen({ spd: 12 }), now, o)).toBe('working');
    expect(deriveStatus(seen({ spd: 3 }), now, o)).toBe('working');
    expect(deriveStatus(seen({ spd: 2.9 }), now, o)).toBe('idle');
    expect(deriveStatus(seen({ spd: 0, ops: { sweep: true } }), now, o)).toBe('working');
    expect(deriveStatus(seen({ spd: 0, ops: { spray: false, lift: false } }), now, o)).toBe('idle');
    expect(deriveStatus(seen(), now, o)).toBe('idle');
  });

  it('is offline when never seen, silent too long, or reported offline after its last fix', () => {
    expect(deriveStatus(seen({ lastSeenAt: null, lastFixAt: null }), now, o)).toBe('offline');
    expect(deriveStatus(seen({ lastSeenAt: now - 300_001, spd: 20 }), now, o)).toBe('offline');
    expect(deriveStatus(seen({ lastSeenAt: now - 300_000, spd: 20 }), now, o)).toBe('working');
    expect(deriveStatus(seen({ reported: { online: false, at: now - 5_000 }, spd: 20 }), now, o)).toBe(
      'offline',
    );
    // A fix after the offline message means it is back.
    expect(deriveStatus(seen({ reported: { online: false, at: now - 20_000 }, spd: 20 }), now, o)).toBe(
      'working',
    );
    expect(deriveStatus(seen({ reported: { online: true, at: now - 5_000 } }), now, o)).toBe('idle');
  });

  it('puts an open alarm above everything, offline included', () => {
    expect(deriveStatus(seen({ openAlarms: 1, spd: 20 }), now, o)).toBe('alarm');
    expect(deriveStatus(seen({ openAlarms: 2, lastSeenAt: null, lastFixAt: null }), now, o)).toBe('alarm');
  });
});
