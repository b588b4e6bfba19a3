import { applyDelta, type EvidenceDelta, type EvidenceDoc } from '../evidence';
import type { EvidenceRepository } from '../persistence/evidence.repository';
import { EvidenceWriter } from './evidence-writer';
import { StoredEvidence } from './stored-evidence';

const delta = (
  taskId: string,
  add: Record<string, number[]>,
  lastTs: number,
  firstTs = lastTs,
): EvidenceDelta => ({
  taskId,
  day: '2026-01-05',
  type: 'route',
  add,
  min: { firstTs },
  max: { lastTs },
});

describe('StoredEvidence', () => {
  it('keeps only what is not known stored, and nothing when everything is', () => {
    const s = new StoredEvidence();
    const d = delta('t1', { 'cells.c1': [1, 2] }, 100, 50);
    expect(s.pare(d)).toBe(d);
    s.record(d);
    expect(s.pare(delta('t1', { 'cells.c1': [2, 1] }, 90, 60))).toBeNull();
    expect(s.pare(delta('t1', { 'cells.c1': [2, 3], 'cells.c2': [1] }, 100, 40))).toEqual({
      ...delta('t1', { 'cells.c1': [3], 'cells.c2': [1] }, 0, 40),
      max: {},
    });
    expect(s.pare(delta('t1', {}, 101, 50))).toEqual({ ...delta('t1', {}, 101), min: {} });
  });

  it('forgets the least recently written task first', () => {
    const s = new StoredEvidence(2);
    for (const id of ['a', 'b', 'a', 'c']) s.record(delta(id, { slots: [1] }, 1));
    expect(s.pare(delta('a', { slots: [1] }, 1))).toBeNull();
    expect(s.pare(delta('b', { slots: [1] }, 1))).not.toBeNull();
  });
});

/** The repository's semantics in memory; `failApply` injects the one fault the database cannot be made to show. */
class MemoryRepo {
  docs = new Map<string, EvidenceDoc>();
  journalDocs = new Map<string, string>();
  upserts = 0;
  failApply = 0;
  async apply(ds: readonly EvidenceDelta[]) {
    if (this.failApply > 0) {
      this.failApply--;
      throw new Error('database unavailable');
    }
    for (const d of ds) {
      this.upserts++;
      this.docs.set(d.taskId, applyDelta(this.docs.get(d.taskId), d));
    }
  }
  async journal(id: string, ds: readonly EvidenceDelta[]) {
    this.journalDocs.set(id, JSON.stringify(ds));
  }
  async journalEntries() {
    return [...this.journalDocs].map(([id, j]) => ({ id, deltas: JSON.parse(j) as EvidenceDelta[] }));
  }
  async dropJournal(ids: readonly string[]) {
    for (const id of ids) this.journalDocs.delete(id);
  }
}

const state = (r: MemoryRepo) =>
  Object.fromEntries(
    [...r.docs].map(([id, d]) => [id, { cells: d.cells, firstTs: d.firstTs, lastTs: d.lastTs }]),
  );

describe('EvidenceWriter', () => {
  const batches = [
    [delta('t1', { 'cells.c1': [1] }, 10), delta('t2', { slots: [5] }, 10)],
    [delta('t1', { 'cells.c1': [2], 'cells.c2': [2] }, 20)],
    [delta('t1', { 'cells.c1': [1] }, 5, 5), delta('t2', { slots: [5] }, 10)],
  ];

  it('converges on the same state in any order, skips what adds nothing, and empties the journal', async () => {
    const a = new MemoryRepo();
    const wa = new EvidenceWriter(a as unknown as EvidenceRepository);
    for (const b of batches) {
      await wa.submit(b);
      await wa.folded();
    }
    await wa.submit(batches[0]); // a replay
    await wa.drain();
    const b = new MemoryRepo();
    const wb = new EvidenceWriter(b as unknown as EvidenceRepository);
    await Promise.all([...batches].reverse().map((x) => wb.submit(x)));
    await wb.drain();
    expect(state(a)).toEqual(state(b));
    expect(state(a).t1).toEqual({ cells: { c1: [1, 2], c2: [2] }, firstTs: 5, lastTs: 20 });
    expect(wa.stats.skipped).toBeGreaterThanOrEqual(2); // t2 of the third batch, both of the replay
    expect(a.journalDocs.size).toBe(0);
  });

  it('keeps journalled deltas through a failed fold and folds them on retry or on the next start', async () => {
    const r = new MemoryRepo();
    r.failApply = 1;
    const w = new EvidenceWriter(r as unknown as EvidenceRepository, undefined, 10);
    await w.submit(batches[0]);
    expect(r.journalDocs.size).toBe(1);
    await w.folded();
    expect(r.journalDocs.size).toBe(0);
    expect(state(r).t2).toEqual({ cells: undefined, firstTs: 10, lastTs: 10 });

    // A stop whose fold fails leaves the journal for the next process.
    r.failApply = 1;
    const stopping = new EvidenceWriter(r as unknown as EvidenceRepository);
    const journalled = stopping.submit(batches[1]);
    await stopping.drain();
    await journalled;
    expect(r.journalDocs.size).toBe(1);
    const next = new EvidenceWriter(r as unknown as EvidenceRepository);
    expect(await next.recover()).toBe(1);
    await next.drain();
    expect(state(r).t1.cells).toEqual({ c1: [1, 2], c2: [2] });
    expect(r.journalDocs.size).toBe(0);
  });
});
