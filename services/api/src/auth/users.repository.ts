import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from '@dwg/persistence';
import type { Role } from '../policy/roles';
import type { LockoutState } from './lockout';

export interface UserDoc {
  _id: string;
  username: string;
  displayName?: string;
  role: Role;
  operatorId?: string;
  agencyId?: string;
  passwordHash: string;
  disabled?: boolean;
  failedLogins?: number;
  lockedUntil?: Date | null;
  tokenVersion?: number;
  createdAt: Date;
  updatedAt: Date;
  [k: string]: unknown;
}

/** Queries of the auth flow on the users collection (CRUD of users goes through the generic resource service). */
export class UsersRepository {
  readonly col: Collection<UserDoc>;

  constructor(db: Db) {
    this.col = db.collection<UserDoc>(COLLECTIONS.users);
  }

  findByUsername(username: string) {
    return this.col.findOne({ username });
  }

  findById(id: string) {
    return this.col.findOne({ _id: id });
  }

  /** Lockout counters are not audited changes of the account; they do not touch updatedAt either. */
  async setLockout(id: string, s: LockoutState): Promise<void> {
    await this.col.updateOne(
      { _id: id },
      { $set: { failedLogins: s.failedLogins, lockedUntil: s.lockedUntil } },
    );
  }
}
