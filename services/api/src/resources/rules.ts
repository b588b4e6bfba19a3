import { DEVICE_ID_PATTERN } from '@dwg/contracts';
import { AGENCY_ROLES, OPERATOR_ROLES, type Role } from '../policy/roles';

/** Plates as printed (e.g. 粤A·D1234): upper-cased, inner spaces removed. */
export function normalisePlate(p: string): string {
  return p.trim().replace(/\s+/g, '').toUpperCase();
}

/** Broker account names that no device may take (its id is its MQTT username). */
export const RESERVED_DEVICE_IDS = ['dwg-ingest'];

/** Problems with a device id and its binding (gps terminals sit in vehicles, badges are worn by workers). */
export function deviceProblems(
  i: { id?: string; kind: string; vehicleId?: string; workerId?: string },
  creating: boolean,
  reserved = RESERVED_DEVICE_IDS,
): string[] {
  const out: string[] = [];
  if (creating) {
    if (!i.id) out.push('id is required: the device id printed on the terminal or badge (its MQTT username)');
    else if (!DEVICE_ID_PATTERN.test(i.id))
      out.push(`id "${i.id}" must be 3-64 characters of A-Z, a-z, 0-9, _ or -`);
    else if (reserved.includes(i.id.toLowerCase()))
      out.push(`id "${i.id}" is reserved for a broker service account`);
  }
  if (i.kind === 'gps' && i.workerId)
    out.push('a gps terminal is bound to a vehicle (vehicleId), not to a worker');
  if (i.kind === 'badge' && i.vehicleId)
    out.push('a badge is bound to a worker (workerId), not to a vehicle');
  return out;
}

/** Role and tenant of an account must fit: operator roles belong to one operator, reviewers to one agency, admin to none. */
export function userTenantProblems(u: { role: string; operatorId?: string; agencyId?: string }): string[] {
  const role = u.role as Role;
  if (role === 'admin')
    return u.operatorId || u.agencyId ? ['an admin belongs to no operator or agency'] : [];
  if (OPERATOR_ROLES.includes(role)) {
    const out = u.operatorId ? [] : [`role ${role} needs operatorId`];
    if (u.agencyId) out.push(`role ${role} cannot have agencyId`);
    return out;
  }
  if (AGENCY_ROLES.includes(role)) {
    const out = u.agencyId ? [] : [`role ${role} needs agencyId`];
    if (u.operatorId) out.push(`role ${role} cannot have operatorId`);
    return out;
  }
  return [`unknown role ${role}`];
}

/** The service line a contract must include for this record, as a problem list. */
export function serviceLineProblems(
  line: string,
  contract: { _id: string; serviceLines?: unknown } | null,
): string[] {
  const lines = (contract?.serviceLines as string[]) ?? [];
  return lines.includes(line)
    ? []
    : [`serviceLine ${line} is not a service line of contract "${contract?._id}" (${lines.join(', ')})`];
}
