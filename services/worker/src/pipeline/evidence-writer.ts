import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mergeDelta, type EvidenceDelta } from '../evidence';
import type { EvidenceRepository } from '../persistence/evidence.repository';
import { StoredEvidence } from './stored-evidence';

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

const copy = (d: EvidenceDelta) => mergeDelta({ ...d, add: {}, min: {}, max: {} }, d);

function mergeInto(map: Map<string, EvidenceDelta>, deltas: Iterable<EvidenceDelta>): void {
  for (const d of deltas) {
    const cur = map.get(d.taskId);
    // Copies: the merge mutates, and the caller may keep its delta (e.g. for a retry).
    map.set(d.taskId, cur ? mergeDelta(cur, d) : copy(d));
  }
}

/**
 * Evidence writes in two stages, because on FerretDB one update costs about what inserting ~100 records costs and
 * a batch of records touches nearly every active task:
 *
 * 1. Journal (what a job waits for): the deltas submitted while the previous journal write was in flight are
 *    merged per task and stored as ONE document, so a BullMQ job completes once its evidence is durable at the
 *    price of a single insert, whatever the number of tasks.
 * 2. Fold (in the background): journalled deltas are merged per task across every journal write since the last
 *    fold, pared down to what the in-memory copy of the stored state does not hold yet, and written into the state
 *    (EvidenceRepository: one update per touched bucket document of a service day); then the folded journal
 *    documents are deleted. Write load follows the number of buckets per fold, not the number of batches,
 *    records or tasks.
 *
 * Every operation is a set union, min or max, so folding a journal entry twice (a crash between the upserts and
 * the delete, another worker recovering it) or in any order gives the same state; that also makes the paring
 * cache correct: what it says is stored stays stored.
 */
export class EvidenceWriter {
  private pending = new Map<string, EvidenceDelta>();
  private waiters: Waiter[] = [];
  private journalRun: Promise<void> | null = null;
  private toFold = new Map<string, EvidenceDelta>();
  private journalIds: string[] = [];
  private foldRun: Promise<void> | null = null;
  private closing = false;
  private readonly stored = new StoredEvidence();
  /** Sequence of submits: `folded` resolves once every submit up to a number is in the state documents. */
  private submitted = 0;
  private journalled = 0;
  private foldedSeq = 0;
  private foldWaiters: { seq: number; resolve(): void }[] = [];
  lastWrite = { tasks: 0, ms: 0 };
  stats = { journalWrites: 0, journalMs: 0, folds: 0, upserts: 0, skipped: 0, foldMs: 0 };

  constructor(
    private readonly repo: EvidenceRepository,
    private readonly onWrite?: (tasks: number, ms: number) => void,
    private readonly retryMs = 1000,
  ) {}

  /** Resolves when the deltas are durable (journalled). */
  submit(deltas: readonly EvidenceDelta[]): Promise<void> {
    if (deltas.length === 0) return Promise.resolve();
    this.submitted++;
    mergeInto(this.pending, deltas);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.journalRun) this.journalRun = this.journalLoop();
    return done;
  }

  /** Number of the latest submit, for `folded`. */
  get seq(): number {
    return this.submitted;
  }

  /** Resolves when every submit up to `seq` is in the evidence documents (benchmarks, tests). */
  folded(seq = this.submitted): Promise<void> {
    if (this.foldedSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.foldWaiters.push({ seq, resolve }));
  }

  /** Folds the journal entries left by a previous run (a crash or a stop before the fold). */
  async recover(): Promise<number> {
    const entries = await this.repo.journalEntries();
    for (const e of entries) {
      mergeInto(this.toFold, e.deltas);
      this.journalIds.push(e.id);
    }
    if (entries.length && !this.foldRun) this.foldRun = this.foldLoop();
    return entries.length;
  }

  /**
   * Resolves when everything submitted so far is journalled and folded (shutdown). A fold that fails meanwhile
   * is not retried: its deltas stay in the journal for the next start.
   */
  async drain(): Promise<void> {
    this.closing = true;
    while (this.journalRun || this.foldRun) {
      await this.journalRun;
      await this.foldRun;
    }
  }

  private async journalLoop(): Promise<void> {
    // Let the other jobs of this event-loop turn add theirs first.
    await new Promise((r) => setImmediate(r));
    while (this.pending.size) {
      const deltas = [...this.pending.values()];
      const waiters = this.waiters;
      const seq = this.submitted;
      this.pending = new Map();
      this.waiters = [];
      const id = randomUUID();
      const t = performance.now();
      try {
        await this.repo.journal(id, deltas);
        this.stats.journalWrites++;
        this.stats.journalMs += performance.now() - t;
        mergeInto(this.toFold, deltas);
        this.journalIds.push(id);
        this.journalled = seq;
        if (!this.foldRun) this.foldRun = this.foldLoop();
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.journalRun = null;
  }

  private async foldLoop(): Promise<void> {
    while (this.toFold.size || this.journalIds.length) {
      const deltas = [...this.toFold.values()];
      const ids = this.journalIds;
      const seq = this.journalled;
      this.toFold = new Map();
      this.journalIds = [];
      const t = performance.now();
      try {
        const fresh = deltas.map((d) => this.stored.pare(d)).filter((d): d is EvidenceDelta => d !== null);
        await this.repo.apply(fresh);
        for (const d of fresh) this.stored.record(d);
        await this.repo.dropJournal(ids);
        const ms = performance.now() - t;
        this.lastWrite = { tasks: fresh.length, ms };
        this.stats.folds++;
        this.stats.upserts += fresh.length;
        this.stats.skipped += deltas.length - fresh.length;
        this.stats.foldMs += ms;
        this.onWrite?.(fresh.length, ms);
        this.foldedSeq = Math.max(this.foldedSeq, seq);
        const ready = this.foldWaiters.filter((w) => w.seq <= this.foldedSeq);
        this.foldWaiters = this.foldWaiters.filter((w) => w.seq > this.foldedSeq);
        for (const w of ready) w.resolve();
      } catch {
        // Still journalled: put back (merging is commutative) and retry; a crash leaves it to recover().
        if (this.closing) break;
        mergeInto(this.toFold, deltas);
        this.journalIds.push(...ids);
        await sleep(this.retryMs);
      }
    }
    this.foldRun = null;
  }
}
