import type { Principal } from '../policy/principal';
import { deviceVisibleTo, filterVisible, type DeviceLink } from './live-scope';

const admin: Principal = { id: 'u0', username: 'admin', role: 'admin' };
const dispatcherA: Principal = { id: 'u1', username: 'd', role: 'dispatcher', operatorId: 'opA' };
const workerA: Principal = { id: 'u4', username: 'w', role: 'field_worker', operatorId: 'opA' };
const reviewerX: Principal = { id: 'u2', username: 'r', role: 'gov_reviewer', agencyId: 'agX' };
const noTenant: Principal = { id: 'u3', username: 'n', role: 'operator_manager' };

const link = (deviceId: string, operatorId: string, agencyId: string): DeviceLink => ({
  deviceId,
  kind: 'gps',
  contractId: `ct-${operatorId}-${agencyId}`,
  operatorId,
  agencyId,
});
const links = new Map(
  [
    link('d1', 'opA', 'agX'),
    link('d2', 'opA', 'agY'),
    link('d3', 'opB', 'agX'),
    link('d4', 'opB', 'agY'),
  ].map((l) => [l.deviceId, l]),
);
const batch = ['d1', 'd2', 'd3', 'd4', 'unknown'].map((deviceId) => ({ deviceId }));
const visible = (p: Principal) => filterVisible(p, batch, links).map((i) => i.deviceId);

describe('live scope filter', () => {
  it('shows operator users their operator’s devices under every agency', () => {
    expect(visible(dispatcherA)).toEqual(['d1', 'd2']);
    expect(visible(workerA)).toEqual(['d1', 'd2']);
  });

  it('shows a reviewer only its own agency’s devices, whichever operator runs them', () => {
    expect(visible(reviewerX)).toEqual(['d1', 'd3']);
  });

  it('shows admin everything and a user without a tenant nothing', () => {
    expect(visible(admin)).toEqual(['d1', 'd2', 'd3', 'd4', 'unknown']);
    expect(visible(noTenant)).toEqual([]);
  });

  it('hides a device it does not know from everyone but admin', () => {
    expect(deviceVisibleTo(dispatcherA, undefined)).toBe(false);
    expect(deviceVisibleTo(reviewerX, undefined)).toBe(false);
    expect(deviceVisibleTo(admin, undefined)).toBe(true);
  });
});
