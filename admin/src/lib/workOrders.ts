/**
 * Work-order life cycle as the console shows it: board columns, the actions each state allows and the deadline
 * cards. The api is the authority (an illegal action is a 409 naming the allowed ones); when a record carries its
 * own `allowedActions`, those win over this table.
 */
export const WORK_ORDER_STATES = [
  'screening',
  'dispatched',
  'accepted',
  'in_progress',
  'resolved',
  'closed',
  'rejected',
  'merged',
] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

/**
 * The state machine of services/libs/contracts/src/work-orders/state-machine.ts, for records without
 * `allowedActions` (lists: only `GET /api/work-orders/:id` answers them for the caller). `reported` is the instant
 * before routing: a stored order is `dispatched` or `screening`.
 */
const ACTIONS: Record<string, string[]> = {
  reported: ['dispatch', 'reject', 'merge'],
  screening: ['dispatch', 'reject', 'merge'],
  dispatched: ['reroute', 'accept', 'reject', 'merge'],
  accepted: ['reroute', 'start', 'reject', 'merge'],
  in_progress: ['resolve', 'merge'],
  resolved: ['verify', 'send_back'],
  closed: ['rate'],
  rejected: [],
  merged: [],
};

/** A field of an action's dialog; the body the api takes per action is in docs/work-orders.md. */
export type ActionField =
  'teamId' | 'category' | 'reason' | 'kind' | 'fixed' | 'into' | 'rating' | 'photo' | 'comment';

const FIELDS: Record<string, ActionField[]> = {
  dispatch: ['teamId', 'category', 'reason'],
  reroute: ['teamId', 'reason'],
  accept: [],
  start: [],
  resolve: ['photo', 'comment'],
  verify: ['fixed', 'comment'],
  send_back: ['reason'],
  reject: ['kind', 'reason'],
  merge: ['into'],
  rate: ['rating', 'comment'],
};

/** The dialog fields of a work-order action (an unknown action gets a comment). */
export function actionFields(action: string): ActionField[] {
  return FIELDS[action] ?? ['comment'];
}

/**
 * The body of an action from the dialog's values: only the fields the action takes, empty ones left out, `fixed`
 * and `rating` typed; `resolve` is multipart with the result photo(s).
 */
export function actionBody(
  action: string,
  values: Partial<Record<ActionField, string | boolean>>,
  photos: Blob[] = [],
): Record<string, unknown> | FormData {
  const fields = actionFields(action);
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f === 'photo') continue;
    const v = values[f];
    if (f === 'fixed') out.fixed = v === true || v === 'true';
    else if (f === 'rating') {
      if (v !== undefined && v !== '') out.rating = Number(v);
    } else if (typeof v === 'string' && v.trim()) out[f] = v.trim();
  }
  if (!fields.includes('photo')) return out;
  const fd = new FormData();
  for (const [k, v] of Object.entries(out)) fd.append(k, String(v));
  for (const p of photos) fd.append('photos', p, (p as File).name ?? 'photo');
  return fd;
}

/** Photos of an order by kind: the report's and the result's (one `photos` array, `kind` on each). */
export function photosOfKind(record: object, kind: 'report' | 'result'): unknown[] {
  const photos = (record as { photos?: unknown }).photos;
  const all = Array.isArray(photos) ? (photos as { kind?: string }[]) : [];
  return all.filter((p) => (p.kind ?? 'report') === kind);
}

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

/** The deadline card of an open work order: red or yellow card, overdue, due within dueSoonMs, or on track. */
export function deadlineLevel(
  wo: {
    state?: string;
    status?: string;
    deadline?: string | null;
    dueAt?: string | null;
    escalation?: string | null;
    yellowCardAt?: string | null;
    redCardAt?: string | null;
  },
  now: number,
  dueSoonMs = 2 * 3_600_000,
): DeadlineLevel {
  const s = stateOf(wo);
  if (s === 'closed' || s === 'rejected' || s === 'resolved' || s === 'merged') return 'done';
  // 督办: the worker gives a yellow card at the deadline and a red card at the second one.
  if (wo.redCardAt || wo.escalation === 'red') return 'red';
  if (wo.yellowCardAt || wo.escalation === 'yellow') return 'yellow';
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
