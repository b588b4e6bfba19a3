import type { WorkOrderState } from '../domain-events';

/**
 * The work-order lifecycle as data: which action leads from which state to which, and who may take it.
 * `reported` is the instant before routing (an order is stored already dispatched or in screening).
 */
export type WorkOrderAction =
  | 'dispatch'
  | 'reroute'
  | 'accept'
  | 'start'
  | 'resolve'
  | 'verify'
  | 'send_back'
  | 'reject'
  | 'merge'
  | 'rate';

export type ActorRole = 'admin' | 'operator_manager' | 'dispatcher' | 'field_worker' | 'gov_reviewer';

interface Transition {
  from: readonly WorkOrderState[];
  /** The state after; `same` keeps it (re-route, rating). */
  to: WorkOrderState | 'same';
  roles: readonly ActorRole[];
}

const SUPERVISORS: readonly ActorRole[] = ['admin', 'operator_manager', 'dispatcher'];
const HANDLERS: readonly ActorRole[] = ['admin', 'operator_manager', 'dispatcher', 'field_worker'];
const OPEN_BEFORE_WORK: readonly WorkOrderState[] = ['reported', 'screening', 'dispatched', 'accepted'];

export const TRANSITIONS: Record<WorkOrderAction, Transition> = {
  dispatch: { from: ['reported', 'screening'], to: 'dispatched', roles: SUPERVISORS },
  reroute: { from: ['dispatched', 'accepted'], to: 'dispatched', roles: SUPERVISORS },
  accept: { from: ['dispatched'], to: 'accepted', roles: HANDLERS },
  start: { from: ['accepted'], to: 'in_progress', roles: HANDLERS },
  resolve: { from: ['in_progress'], to: 'resolved', roles: HANDLERS },
  verify: { from: ['resolved'], to: 'closed', roles: SUPERVISORS },
  send_back: { from: ['resolved'], to: 'in_progress', roles: SUPERVISORS },
  reject: { from: OPEN_BEFORE_WORK, to: 'rejected', roles: SUPERVISORS },
  merge: { from: [...OPEN_BEFORE_WORK, 'in_progress'], to: 'merged', roles: SUPERVISORS },
  // Only the reporter, checked by the caller (the rule needs the order's reporter, not just a role).
  rate: { from: ['closed'], to: 'same', roles: HANDLERS },
};

export const WORK_ORDER_ACTIONS = Object.keys(TRANSITIONS) as WorkOrderAction[];

/** States in which the deadline clock runs and cards can fire. */
export const CLOCK_STATES: readonly WorkOrderState[] = ['dispatched', 'accepted', 'in_progress'];
/** States that count as still open (duplicates, Open311 `open`). */
export const OPEN_STATES: readonly WorkOrderState[] = [
  'reported',
  'screening',
  'dispatched',
  'accepted',
  'in_progress',
  'resolved',
];

export type TransitionResult =
  | { ok: true; to: WorkOrderState }
  | { ok: false; status: 409 | 403 | 400; message: string; allowed: WorkOrderAction[] };

/** Actions the role may take from a state: what a 409 names, and what a client may offer. */
export function allowedActions(state: WorkOrderState, role: ActorRole): WorkOrderAction[] {
  return WORK_ORDER_ACTIONS.filter(
    (a) => TRANSITIONS[a].from.includes(state) && TRANSITIONS[a].roles.includes(role),
  );
}

export function transition(state: WorkOrderState, action: string, role: ActorRole): TransitionResult {
  const allowed = allowedActions(state, role);
  const t = TRANSITIONS[action as WorkOrderAction];
  if (!t)
    return {
      ok: false,
      status: 400,
      message: `unknown action "${action}"; actions are ${WORK_ORDER_ACTIONS.join(', ')}`,
      allowed,
    };
  if (!t.roles.includes(role))
    return { ok: false, status: 403, message: `role ${role} may not ${action} a work order`, allowed };
  if (!t.from.includes(state))
    return {
      ok: false,
      status: 409,
      message: `cannot ${action} a work order that is ${state}; allowed now: ${allowed.length ? allowed.join(', ') : 'none'}`,
      allowed,
    };
  return { ok: true, to: t.to === 'same' ? state : t.to };
}
