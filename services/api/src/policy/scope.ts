import type { Principal } from './principal';
import type { ResourceName } from './roles';

/**
 * How a resource's documents relate to tenants:
 * - `contract`: the document carries operatorId and agencyId, copied from its contract by the server;
 * - `operator` / `agency`: the tenant documents themselves;
 * - `user`: user accounts, which carry the tenant they belong to;
 * - `audit`: audit entries, which carry `scope.operatorId` / `scope.agencyId` of the changed document.
 */
export type ScopeKind = 'contract' | 'operator' | 'agency' | 'user' | 'audit';

export const SCOPE_KIND: Record<ResourceName, ScopeKind> = {
  operators: 'operator',
  agencies: 'agency',
  contracts: 'contract',
  zones: 'contract',
  routes: 'contract',
  sites: 'contract',
  vehicles: 'contract',
  teams: 'contract',
  workers: 'contract',
  devices: 'contract',
  shifts: 'contract',
  users: 'user',
  'audit-log': 'audit',
  live: 'contract',
  'work-orders': 'contract',
  categories: 'contract',
  calendars: 'contract',
  'routing-rules': 'contract',
  'open311-keys': 'contract',
  tasks: 'contract',
  alarms: 'contract',
  kpis: 'contract',
  assessments: 'contract',
};

/** Tenant ids related through contracts, needed to scope the tenant resources themselves. */
export interface TenantLinks {
  /** For an agency reviewer: operators holding a contract of the agency. For operator users: agencies contracting it. */
  counterpartIds: string[];
}

/** A filter that matches nothing (a principal with no tenant where one is needed). */
export const NOTHING = { _id: { $in: [] as string[] } };

/**
 * The MongoDB filter that limits what a principal sees of a resource. Every read and every write of every
 * resource is ANDed with it: this function is the tenant-scoping rule of the whole API.
 */
export function scopeFilter(
  p: Principal,
  resource: ResourceName,
  links: TenantLinks = { counterpartIds: [] },
): Record<string, unknown> {
  if (p.role === 'admin') return {};
  const kind = SCOPE_KIND[resource];
  const side: 'operator' | 'agency' = p.role === 'gov_reviewer' ? 'agency' : 'operator';
  const own = side === 'operator' ? p.operatorId : p.agencyId;
  if (!own) return NOTHING;
  switch (kind) {
    case 'contract':
      return side === 'operator' ? { operatorId: own } : { agencyId: own };
    case 'audit':
      return side === 'operator' ? { 'scope.operatorId': own } : { 'scope.agencyId': own };
    case 'user':
      return side === 'operator' ? { operatorId: own } : { agencyId: own };
    case 'operator':
      return side === 'operator' ? { _id: own } : { _id: { $in: links.counterpartIds } };
    case 'agency':
      return side === 'agency' ? { _id: own } : { _id: { $in: links.counterpartIds } };
  }
}

/** Whether a scope needs TenantLinks (a lookup of the principal's contracts). */
export function needsLinks(p: Principal, resource: ResourceName): boolean {
  if (p.role === 'admin') return false;
  const kind = SCOPE_KIND[resource];
  return (
    (kind === 'operator' && p.role === 'gov_reviewer') || (kind === 'agency' && p.role !== 'gov_reviewer')
  );
}

/** Checks a document the principal is about to store against the same rule (defence in depth after building it). */
export function docInScope(p: Principal, resource: ResourceName, doc: Record<string, unknown>): boolean {
  if (p.role === 'admin') return true;
  const f = scopeFilter(p, resource);
  return Object.entries(f).every(([k, v]) => typeof v !== 'object' && doc[k] === v);
}

/** `filter` narrowed to what the caller may see; unchanged for admin. */
export function withScope(
  filter: Record<string, unknown>,
  scope: Record<string, unknown>,
): Record<string, unknown> {
  return Object.keys(scope).length ? { $and: [filter, scope] } : filter;
}
