import { afterFailure, afterSuccess, isLocked, type LockoutState } from './lockout';

const policy = { maxFailures: 3, lockMs: 60_000 };
const t0 = new Date('2025-03-01T08:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('login lockout', () => {
  it('locks the account on the n-th failure in a row, for the lock period', () => {
    let s: LockoutState = afterSuccess();
    s = afterFailure(s, at(0), policy);
    s = afterFailure(s, at(1), policy);
    expect(isLocked(s, at(2))).toBe(false);
    s = afterFailure(s, at(2), policy);
    expect(isLocked(s, at(3))).toBe(true);
    expect(isLocked(s, at(60_001))).toBe(true);
    expect(isLocked(s, at(60_003))).toBe(false);
  });

  it('starts counting afresh after a lock has expired', () => {
    let s: LockoutState = { failedLogins: 0, lockedUntil: at(-1) };
    s = afterFailure(s, at(0), policy);
    expect(s).toEqual({ failedLogins: 1, lockedUntil: null });
  });

  it('a success resets the counter', () => {
    expect(afterSuccess()).toEqual({ failedLogins: 0, lockedUntil: null });
  });
});
