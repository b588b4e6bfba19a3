import type { AlarmStatus } from '@dwg/contracts';
import { DomainError } from '../common/domain-error';

export type AlarmAction = 'acknowledge' | 'close';

/** open → acknowledged → closed; an open alarm may also be closed directly. */
const NEXT: Record<AlarmStatus, Partial<Record<AlarmAction, AlarmStatus>>> = {
  open: { acknowledge: 'acknowledged', close: 'closed' },
  acknowledged: { close: 'closed' },
  closed: {},
};

export function allowedActions(status: AlarmStatus): AlarmAction[] {
  return Object.keys(NEXT[status]) as AlarmAction[];
}

/** The status an action leads to, or a 409 that names the actions allowed from the current one. */
export function alarmTransition(status: AlarmStatus, action: AlarmAction): AlarmStatus {
  const next = NEXT[status][action];
  if (!next) {
    const allowed = allowedActions(status);
    throw new DomainError(
      409,
      `cannot ${action} an alarm that is ${status}; allowed: ${allowed.length ? allowed.join(', ') : 'none (it is closed)'}`,
    );
  }
  return next;
}
