import { createHash } from 'node:crypto';
import { canonicalJson, normalise } from '../common/canonical-json';

/** The hash of the entry before the first one. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor {
  id: string;
  username: string;
  role: string;
}

/** What an entry says, before it is linked into the chain. */
export interface AuditContent {
  at: string; // ISO time
  actor: AuditActor;
  action: string; // create | update | delete | rotate-credential | seed | …
  resource: string;
  resourceId: string;
  before: unknown;
  after: unknown;
  scope: { operatorId?: string | null; agencyId?: string | null };
}

export interface AuditEntry extends AuditContent {
  _id: string;
  seq: number;
  prevHash: string;
  hash: string;
}

/** Makes stored values plain JSON (dates as ISO strings, sorted keys), so what is stored is exactly what is hashed. */
export function plainSnapshot(v: unknown): unknown {
  return v === undefined ? null : normalise(v);
}

/** SHA-256 over the canonical JSON of the entry's sequence number, content and the previous entry's hash. */
export function entryHash(seq: number, prevHash: string, c: AuditContent): string {
  const body = canonicalJson({
    seq,
    prevHash,
    at: c.at,
    actor: c.actor,
    action: c.action,
    resource: c.resource,
    resourceId: c.resourceId,
    before: c.before,
    after: c.after,
    scope: c.scope,
  });
  return createHash('sha256').update(body).digest('hex');
}

export function link(seq: number, prevHash: string, c: AuditContent): AuditEntry {
  return {
    _id: `audit-${String(seq).padStart(10, '0')}`,
    seq,
    prevHash,
    ...c,
    hash: entryHash(seq, prevHash, c),
  };
}

export interface ChainBreak {
  seq: number;
  id: string;
  reason: string;
}

export interface VerifyState {
  checked: number;
  lastSeq: number;
  lastHash: string;
  broken: ChainBreak | null;
}

export const initialVerifyState = (): VerifyState => ({
  checked: 0,
  lastSeq: 0,
  lastHash: GENESIS_HASH,
  broken: null,
});

/**
 * Checks the next entry (in seq order) against the chain so far: consecutive sequence, link to the previous hash,
 * and its own hash over its content. Returns the state after it; the first break found is kept.
 */
export function verifyStep(state: VerifyState, e: AuditEntry): VerifyState {
  if (state.broken) return state;
  const next = { ...state, checked: state.checked + 1 };
  const fail = (reason: string): VerifyState => ({
    ...next,
    broken: { seq: e.seq, id: String(e._id), reason },
  });
  if (e.seq !== state.lastSeq + 1) return fail(`sequence gap: expected ${state.lastSeq + 1}, found ${e.seq}`);
  if (e.prevHash !== state.lastHash) return fail('prevHash does not match the hash of the previous entry');
  const content: AuditContent = {
    at: e.at,
    actor: e.actor,
    action: e.action,
    resource: e.resource,
    resourceId: e.resourceId,
    before: e.before ?? null,
    after: e.after ?? null,
    scope: e.scope,
  };
  if (entryHash(e.seq, e.prevHash, content) !== e.hash)
    return fail('content does not match its hash (entry was altered)');
  return { ...next, lastSeq: e.seq, lastHash: e.hash };
}
