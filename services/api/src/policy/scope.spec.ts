import { docInScope, needsLinks, NOTHING, scopeFilter } from './scope';
import { isAllowed, RESOURCES, ROLES } from './roles';
import type { Principal } from './principal';

const admin: Principal = { id: 'u0', username: 'admin', role: 'admin' };
const manager: Principal = { id: 'u1', username: 'm', role: 'operator_manager', operatorId: 'opA' };
const reviewer: Principal = { id: 'u2', username: 'r', role: 'gov_reviewer', agencyId: 'agA' };

describe('tenant scoping', () => {
  it('lets admin see everything', () => {
    for (const r of RESOURCES) expect(scopeFilter(admin, r)).toEqual({});
  });

  it('limits operator users to their operator and reviewers to their agency', () => {
    expect(scopeFilter(manager, 'zones')).toEqual({ operatorId: 'opA' });
    expect(scopeFilter(reviewer, 'zones')).toEqual({ agencyId: 'agA' });
    expect(scopeFilter(manager, 'audit-log')).toEqual({ 'scope.operatorId': 'opA' });
    expect(scopeFilter(reviewer, 'audit-log')).toEqual({ 'scope.agencyId': 'agA' });
    expect(scopeFilter(manager, 'operators')).toEqual({ _id: 'opA' });
    expect(scopeFilter(reviewer, 'agencies')).toEqual({ _id: 'agA' });
  });

  it('shows the counterpart tenants through contracts only', () => {
    expect(needsLinks(reviewer, 'operators')).toBe(true);
    expect(needsLinks(manager, 'agencies')).toBe(true);
    expect(scopeFilter(reviewer, 'operators', { counterpartIds: ['opA'] })).toEqual({
      _id: { $in: ['opA'] },
    });
  });

  it('matches nothing for a tenant user without a tenant', () => {
    expect(scopeFilter({ id: 'x', username: 'x', role: 'dispatcher' }, 'shifts')).toEqual(NOTHING);
  });

  it('refuses a document of another tenant about to be written', () => {
    expect(docInScope(manager, 'zones', { operatorId: 'opA', agencyId: 'agZ' })).toBe(true);
    expect(docInScope(manager, 'zones', { operatorId: 'opB' })).toBe(false);
    expect(docInScope(manager, 'users', { agencyId: 'agA' })).toBe(false);
  });

  it('never lets a reviewer write, and only admin write tenants and contracts', () => {
    for (const r of RESOURCES.filter((x) => x !== 'assessments'))
      expect(isAllowed('gov_reviewer', r, 'write')).toBe(false);
    for (const r of ['operators', 'agencies', 'contracts'] as const)
      expect(ROLES.filter((role) => isAllowed(role, r, 'write'))).toEqual(['admin']);
    expect(isAllowed('dispatcher', 'shifts', 'write')).toBe(true);
    expect(isAllowed('dispatcher', 'zones', 'write')).toBe(false);
    expect(isAllowed('field_worker', 'users', 'read')).toBe(false);
  });
});
