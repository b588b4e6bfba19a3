import type { Principal } from '../policy/principal';
import { docInScope } from '../policy/scope';

/** What the live path needs to know of a device to scope it and to label it on the map. */
export interface DeviceLink {
  deviceId: string;
  kind: 'gps' | 'badge';
  contractId: string;
  operatorId: string;
  agencyId: string;
  vehicleId?: string;
  workerId?: string;
}

/**
 * Whether a caller may see a device's live data: the same tenant rule as every resource (policy/scope.ts), applied
 * to the device's contract tenants. A device unknown to the map (not yet registered, or just created and not yet
 * cached) is visible to no one but admin.
 */
export function deviceVisibleTo(p: Principal, link: DeviceLink | undefined): boolean {
  if (p.role === 'admin') return true;
  if (!link) return false;
  return docInScope(p, 'live', link as unknown as Record<string, unknown>);
}

/** The subset of a batch's items a caller may see. */
export function filterVisible<T extends { deviceId: string }>(
  p: Principal,
  items: readonly T[],
  links: ReadonlyMap<string, DeviceLink>,
): T[] {
  return items.filter((i) => deviceVisibleTo(p, links.get(i.deviceId)));
}
