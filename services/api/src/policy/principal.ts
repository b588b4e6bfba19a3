import type { Role } from './roles';

/** The authenticated caller, as loaded from the users collection on every request. */
export interface Principal {
  id: string;
  username: string;
  role: Role;
  operatorId?: string;
  agencyId?: string;
}
