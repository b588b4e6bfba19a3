import { mergeDelta, type EvidenceDelta } from '../evidence';
import type { EvidenceRepository } from '../persistence/evidence.repository';

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Group commit of evidence: deltas submitted while a write is in flight are merged per task (set union, min, max)
 * and written together next, so the write load follows the number of active tasks, not the number of batches or
 * records. A submitter's promise settles when the write holding its deltas is durable, so a BullMQ job completes
 * only then; on failure every submitter of that write fails and BullMQ retries the jobs (harmless: idempotent).
 */
export class EvidenceWriter {
  private pending = new Map<string, EvidenceDelta>();
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  lastWrite = { tasks: 0, ms: 0 };

  constructor(
    private readonly repo: EvidenceRepository,
    private readonly onWrite?: (tasks: number, ms: number) => void,
  ) {}

  submit(deltas: readonly EvidenceDelta[]): Promise<void> {
    if (deltas.length === 0) return Promise.resolve();
    for (const d of deltas) {
      const cur = this.pending.get(d.taskId);
      // Copies: the merge mutates, and the caller may keep its delta (e.g. for a retry).
      this.pending.set(
        d.taskId,
        cur ? mergeDelta(cur, d) : mergeDelta({ ...d, add: {}, min: {}, max: {} }, d),
      );
    }
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) this.running = this.loop();
    return done;
  }

  /** Resolves when everything submitted so far is written (shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    // Let the other jobs of this event-loop turn add theirs first.
    await new Promise((r) => setImmediate(r));
    while (this.pending.size) {
      const deltas = [...this.pending.values()];
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      const t = performance.now();
      try {
        await this.repo.apply(deltas);
        this.lastWrite = { tasks: deltas.length, ms: performance.now() - t };
        this.onWrite?.(deltas.length, this.lastWrite.ms);
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.running = null;
  }
}
