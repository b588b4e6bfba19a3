/**
 * What each role may do in the console: the api's permission table (services/api/src/policy/roles.ts) plus the
 * resources of the tasks, alarms, work-order and KPI issues. The api enforces it; the console only hides what would
 * be refused (reviewers see read-only views, no write buttons).
 */
export const ROLES = ['admin', 'operator_manager', 'dispatcher', 'field_worker', 'gov_reviewer'] as const;
export type Role = (typeof ROLES)[number];
export type Action = 'read' | 'write';

const ALL: readonly Role[] = ROLES;
const MANAGERS: readonly Role[] = ['admin', 'operator_manager'];
const OPERATIONS: readonly Role[] = ['admin', 'operator_manager', 'dispatcher'];

export const CONSOLE_PERMISSIONS: Record<string, Record<Action, readonly Role[]>> = {
  operators: { read: ALL, write: ['admin'] },
  agencies: { read: ALL, write: ['admin'] },
  contracts: { read: ALL, write: ['admin'] },
  zones: { read: ALL, write: MANAGERS },
  routes: { read: ALL, write: MANAGERS },
  sites: { read: ALL, write: MANAGERS },
  vehicles: { read: ALL, write: MANAGERS },
  teams: { read: ALL, write: MANAGERS },
  workers: { read: ALL, write: MANAGERS },
  devices: { read: ALL, write: MANAGERS },
  shifts: { read: ALL, write: OPERATIONS },
  users: { read: MANAGERS, write: MANAGERS },
  'audit-log': { read: ALL, write: [] },
  tasks: { read: ALL, write: OPERATIONS },
  alarms: { read: ALL, write: OPERATIONS },
  'work-orders': { read: ALL, write: ['admin', 'operator_manager', 'dispatcher', 'field_worker'] },
  categories: { read: ALL, write: ['admin'] },
  calendars: { read: ALL, write: ['admin'] },
  assessments: { read: ALL, write: ['admin', 'operator_manager'] },
  live: { read: ALL, write: [] },
  kpis: { read: ALL, write: [] },
};

export function isRole(r: unknown): r is Role {
  return typeof r === 'string' && (ROLES as readonly string[]).includes(r);
}

export function can(role: string | undefined, resource: string, action: Action): boolean {
  if (!isRole(role)) return false;
  return CONSOLE_PERMISSIONS[resource]?.[action]?.includes(role) ?? false;
}

/**
 * Assessment actions by role, as the assessments api of issue 6 enforces them: the operator's manager appeals a
 * deduction (申诉) and recomputes a draft; the agency's reviewer reviews the appeals and approves the month (the one
 * write a reviewer has; the api writes it to the audit chain); admin does all. Which of them a record allows now
 * is the record's `allowedActions`.
 */
const ASSESSMENT_ACTIONS: Record<string, string[]> = {
  admin: ['recompute', 'appeal', 'review', 'approve'],
  operator_manager: ['recompute', 'appeal'],
  gov_reviewer: ['review', 'approve'],
};

export function assessmentActions(role: string | undefined, allowed?: unknown): string[] {
  const mine = ASSESSMENT_ACTIONS[role ?? ''] ?? [];
  return Array.isArray(allowed) ? mine.filter((a) => allowed.includes(a)) : mine;
}

/** react-admin's access-control shape: `{action, resource}` pairs for canAccess. */
export function canAccess(role: string | undefined, resource: string, action: string): boolean {
  const a: Action = ['list', 'show', 'read', 'export'].includes(action) ? 'read' : 'write';
  return can(role, resource, a);
}
