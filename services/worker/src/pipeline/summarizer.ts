import { summarize } from '../evidence';
import type { EvidenceRepository } from '../persistence/evidence.repository';
import type { TaskSource } from '../persistence/task.source';

/**
 * Keeps each evidence document's `summary` (coverage, visits, attendance…) in step with its state. Runs from a
 * job a cron enqueues every minute, not per batch: a summary needs the whole state read back, and doing that once
 * a minute per active task costs far less than once per batch.
 */
export class Summarizer {
  private lastRun = 0;

  constructor(
    private readonly repo: EvidenceRepository,
    private readonly tasks: TaskSource,
    private readonly lookbackMs: number,
  ) {}

  async run(asOf: number): Promise<{ summarized: number }> {
    const since = (this.lastRun || asOf) - this.lookbackMs;
    const started = Date.now();
    const docs = (await this.repo.touchedSince(since)).filter((d) => d.summaryRev !== d.rev);
    const tasks = await this.tasks.byIds(docs.map((d) => d._id));
    const items = [];
    for (const doc of docs) {
      const t = tasks.get(doc._id);
      if (!t) continue; // the task was removed; its evidence stays for the audit trail
      items.push({ id: doc._id, day: doc.day, rev: doc.rev ?? 0, summary: summarize(t, doc, asOf), asOf });
    }
    const summarized = await this.repo.writeSummaries(items);
    this.lastRun = started;
    return { summarized };
  }
}
