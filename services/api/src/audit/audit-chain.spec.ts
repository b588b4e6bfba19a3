import {
  GENESIS_HASH,
  initialVerifyState,
  link,
  plainSnapshot,
  verifyStep,
  type AuditContent,
  type AuditEntry,
} from './audit-chain';

const content = (n: number): AuditContent => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  actor: { id: 'u1', username: 'admin', role: 'admin' },
  action: 'update',
  resource: 'zones',
  resourceId: `z${n}`,
  before: plainSnapshot({ name: 'old', n }),
  after: plainSnapshot({ n, name: 'new', at: new Date(0) }),
  scope: { operatorId: 'op1', agencyId: 'ag1' },
});

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = link(i, prev, content(i));
    out.push(e);
    prev = e.hash;
  }
  return out;
}

const verify = (entries: AuditEntry[]) => entries.reduce(verifyStep, initialVerifyState());

describe('audit hash chain', () => {
  it('links each entry to the hash of the one before and verifies an intact chain', () => {
    const c = chain(5);
    expect(c[0].prevHash).toBe(GENESIS_HASH);
    expect(c[3].prevHash).toBe(c[2].hash);
    expect(verify(c)).toMatchObject({ checked: 5, broken: null, lastSeq: 5 });
  });

  it('gives the same hash whatever the key order of the stored document', () => {
    const [e] = chain(1);
    const reordered = JSON.parse(
      JSON.stringify({ ...e, after: { name: 'new', n: 1, at: '1970-01-01T00:00:00.000Z' } }),
    );
    expect(Object.keys(reordered.after)).toEqual(['name', 'n', 'at']);
    expect(verify([reordered]).broken).toBeNull();
  });

  it('reports the first altered entry', () => {
    const c = chain(6);
    c[3] = { ...c[3], after: { name: 'forged' } };
    expect(verify(c).broken).toMatchObject({ seq: 4, reason: expect.stringMatching(/altered/) });
  });

  it('reports a removed entry as a sequence gap', () => {
    const c = chain(4);
    c.splice(1, 1);
    expect(verify(c).broken).toMatchObject({ seq: 3, reason: 'sequence gap: expected 2, found 3' });
  });

  it('reports an entry whose hash was recomputed after an edit at the next link', () => {
    const c = chain(4);
    const forged = link(2, c[1].prevHash, { ...content(2), after: { name: 'forged' } });
    c[1] = forged;
    expect(verify(c).broken).toMatchObject({ seq: 3, reason: expect.stringMatching(/prevHash/) });
  });
});
