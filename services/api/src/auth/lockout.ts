/** Lockout after repeated failed logins, as a pure rule over the stored counters. */
export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

export interface LockoutState {
  failedLogins: number;
  lockedUntil: Date | null;
}

export function isLocked(s: LockoutState, now: Date): boolean {
  return s.lockedUntil !== null && s.lockedUntil.getTime() > now.getTime();
}

/** The state after a failed attempt: the counter grows, and reaching the limit locks the account and resets it. */
export function afterFailure(s: LockoutState, now: Date, p: LockoutPolicy): LockoutState {
  const failed = (isLocked(s, now) ? s.failedLogins : s.lockedUntil ? 0 : s.failedLogins) + 1;
  if (failed >= p.maxFailures) return { failedLogins: 0, lockedUntil: new Date(now.getTime() + p.lockMs) };
  return { failedLogins: failed, lockedUntil: null };
}

export const afterSuccess = (): LockoutState => ({ failedLogins: 0, lockedUntil: null });
