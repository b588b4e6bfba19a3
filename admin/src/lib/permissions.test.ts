import { assessmentActions, can, canAccess, CONSOLE_PERMISSIONS } from './permissions';

describe('role-aware console', () => {
  it('gives reviewers read access to everything they may see and no write anywhere', () => {
    for (const resource of Object.keys(CONSOLE_PERMISSIONS)) {
      expect(can('gov_reviewer', resource, 'write')).toBe(false);
    }
    expect(can('gov_reviewer', 'contracts', 'read')).toBe(true);
    expect(can('gov_reviewer', 'users', 'read')).toBe(false);
    // …except reviewing appeals and approving an assessment, which the assessments api gives the reviewer.
    expect(assessmentActions('gov_reviewer')).toEqual(['review', 'approve']);
    expect(assessmentActions('gov_reviewer', ['recompute', 'appeal', 'review'])).toEqual(['review']);
    expect(assessmentActions('gov_reviewer', [])).toEqual([]);
  });

  it('follows the api table for operator roles', () => {
    expect(can('operator_manager', 'zones', 'write')).toBe(true);
    expect(can('operator_manager', 'contracts', 'write')).toBe(false);
    expect(can('dispatcher', 'shifts', 'write')).toBe(true);
    expect(can('dispatcher', 'vehicles', 'write')).toBe(false);
    expect(can('field_worker', 'work-orders', 'write')).toBe(true);
    expect(can('admin', 'contracts', 'write')).toBe(true);
    expect(assessmentActions('operator_manager', ['recompute', 'appeal', 'approve'])).toEqual([
      'recompute',
      'appeal',
    ]);
    expect(assessmentActions('dispatcher')).toEqual([]);
  });

  it('refuses unknown roles and resources', () => {
    expect(can('root', 'zones', 'read')).toBe(false);
    expect(can(undefined, 'zones', 'read')).toBe(false);
    expect(can('admin', 'nothing', 'read')).toBe(false);
  });

  it("maps react-admin's actions to read or write", () => {
    expect(canAccess('gov_reviewer', 'zones', 'list')).toBe(true);
    expect(canAccess('gov_reviewer', 'zones', 'show')).toBe(true);
    expect(canAccess('gov_reviewer', 'zones', 'edit')).toBe(false);
    expect(canAccess('gov_reviewer', 'zones', 'create')).toBe(false);
    expect(canAccess('gov_reviewer', 'zones', 'delete')).toBe(false);
    expect(canAccess('operator_manager', 'zones', 'delete')).toBe(true);
  });
});
