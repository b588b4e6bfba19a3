import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { MONGO } from '../tokens';
import type { Principal } from '../policy/principal';
import { AuditRepository } from './audit.repository';
import {
  initialVerifyState,
  plainSnapshot,
  verifyStep,
  type AuditEntry,
  type ChainBreak,
} from './audit-chain';

export interface AuditRecord {
  actor: Pick<Principal, 'id' | 'username' | 'role'>;
  action: string;
  resource: string;
  resourceId: string;
  before: unknown;
  after: unknown;
  scope: { operatorId?: unknown; agencyId?: unknown };
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  lastSeq: number;
  firstBroken: ChainBreak | null;
}

@Injectable()
export class AuditService {
  readonly repo: AuditRepository;

  constructor(@Inject(MONGO) mongo: { db: Db }) {
    this.repo = new AuditRepository(mongo.db);
  }

  record(r: AuditRecord, at = new Date()): Promise<AuditEntry> {
    const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
    return this.repo.append({
      at: at.toISOString(),
      actor: { id: r.actor.id, username: r.actor.username, role: r.actor.role },
      action: r.action,
      resource: r.resource,
      resourceId: r.resourceId,
      before: plainSnapshot(r.before),
      after: plainSnapshot(r.after),
      scope: { operatorId: str(r.scope.operatorId), agencyId: str(r.scope.agencyId) },
    });
  }

  /** Walks the whole chain and reports the first broken link. */
  async verify(): Promise<VerifyResult> {
    let state = initialVerifyState();
    for await (const e of this.repo.entries()) {
      state = verifyStep(state, e);
      if (state.broken) break;
    }
    return {
      ok: state.broken === null,
      checked: state.checked,
      lastSeq: state.lastSeq,
      firstBroken: state.broken,
    };
  }
}
