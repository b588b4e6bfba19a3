/**
 * Work-order life cycle as the console shows it: board columns, the actions each state allows and the deadline
 * cards. The api is the authority (an illegal action is a 409 naming the allowed ones); when a record carries its
 * own `allowedActions`, those win over this table.
 */
export const WORK_ORDER_STATES = [
  'reported',
  'dispatched',
  'accepted',
  'in_progress',
  'resolved',
  'closed',
] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

const ACTIONS: Record<string, string[]> = {
  reported: ['dispatch', 'reject'],
  dispatched: ['accept', 'reassign', 'reject'],
  accepted: ['start'],
  in_progress: ['resolve'],
  resolved: ['close', 'reopen'],
  closed: [],
  rejected: ['reopen'],
};

/** Actions needing a photo of the result (the api refuses them without). */
export const PHOTO_ACTIONS = ['resolve'];
/** Actions needing someone to act (dispatch / reassign pick a team or worker). */
export const ASSIGN_ACTIONS = ['dispatch', 'reassign'];

type WorkOrderLike = object;

export function allowedActions(record: WorkOrderLike): string[] {
  const wo = record as { allowedActions?: unknown };
  if (Array.isArray(wo.allowedActions))
    return wo.allowedActions.filter((a): a is string => typeof a === 'string');
  return ACTIONS[stateOf(record)] ?? [];
}

export function stateOf(record: WorkOrderLike): string {
  const wo = record as { state?: unknown; status?: unknown };
  const s = wo.state ?? wo.status;
  return typeof s === 'string' ? s : 'reported';
}

export type DeadlineLevel = 'red' | 'yellow' | 'overdue' | 'due_soon' | 'on_track' | 'done';

/** The deadline card of an open work order: overdue, due within dueSoonMs, or on track. */
export function deadlineLevel(
  wo: {
    state?: string;
    status?: string;
    deadline?: string | null;
    dueAt?: string | null;
    escalation?: string | null;
  },
  now: number,
  dueSoonMs = 2 * 3_600_000,
): DeadlineLevel {
  const s = stateOf(wo);
  if (s === 'closed' || s === 'rejected' || s === 'resolved') return 'done';
  // 督办: the api escalates at the deadline (yellow card) and at the second deadline (red card).
  if (wo.escalation === 'red' || wo.escalation === 'yellow') return wo.escalation;
  const due = wo.deadline ?? wo.dueAt;
  if (!due) return 'on_track';
  const t = Date.parse(due);
  if (t < now) return 'overdue';
  if (t - now <= dueSoonMs) return 'due_soon';
  return 'on_track';
}

/** Board columns: the known states in order, then any state the api reports that this table does not know. */
export function groupByState<T extends object>(rows: T[]): Record<string, T[]> {
  const out: Record<string, T[]> = Object.fromEntries(WORK_ORDER_STATES.map((s) => [s, [] as T[]]));
  for (const r of rows) (out[stateOf(r)] ??= []).push(r);
  return out;
}
