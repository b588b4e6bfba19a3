/** Roles and the resources they may read or write: the one permission table of the API. */
export const ROLES = ['admin', 'operator_manager', 'dispatcher', 'field_worker', 'gov_reviewer'] as const;
export type Role = (typeof ROLES)[number];

export const OPERATOR_ROLES: readonly Role[] = ['operator_manager', 'dispatcher', 'field_worker'];
export const AGENCY_ROLES: readonly Role[] = ['gov_reviewer'];

export const RESOURCES = [
  'operators',
  'agencies',
  'contracts',
  'zones',
  'routes',
  'sites',
  'vehicles',
  'teams',
  'workers',
  'devices',
  'shifts',
  'users',
  'audit-log',
  'kpis',
  'assessments',
] as const;
export type ResourceName = (typeof RESOURCES)[number];

export type Action = 'read' | 'write';

const ALL: readonly Role[] = ROLES;
const MANAGERS: readonly Role[] = ['admin', 'operator_manager'];

/** Who may call the read and the write endpoints of each resource (before tenant scoping is applied). */
export const PERMISSIONS: Record<ResourceName, Record<Action, readonly Role[]>> = {
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
  shifts: { read: ALL, write: ['admin', 'operator_manager', 'dispatcher'] },
  users: { read: MANAGERS, write: MANAGERS },
  'audit-log': { read: ALL, write: [] },
  kpis: { read: ALL, write: [] },
  // The one write of a reviewer: deciding appeals and approving the monthly assessment (the service checks which
  // role may do which action: the operator's manager appeals, the agency's reviewer reviews and approves).
  assessments: { read: ALL, write: ['admin', 'operator_manager', 'gov_reviewer'] },
};

export function isAllowed(role: Role, resource: ResourceName, action: Action): boolean {
  return PERMISSIONS[resource][action].includes(role);
}
