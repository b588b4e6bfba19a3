import type { TaskChanged } from '@dwg/contracts';
import { summarize, type EvidenceDoc } from '../evidence';
import type { EvidenceRepository } from '../persistence/evidence.repository';
import type { TaskSource } from '../persistence/task.source';
import type { StoredTask, TaskRepository } from '../persistence/task.repository';
import { taskChanged } from './events';
import { publishedFingerprint, taskState, type TaskState } from './lifecycle';

export interface LifecycleOutcome {
  checked: number;
  changed: number;
  published: number;
}

/**
 * Moves tasks through their lifecycle, from a job a cron enqueues every minute: tasks whose evidence changed
 * since the last run, tasks whose window has ended, and tasks the api flagged (a photo). Each change of the
 * published part bumps the task's rev and is announced as TaskChanged before it is written, so a failed write is
 * retried with the same rev (and the same job id, which BullMQ does not add twice).
 */
export class TaskLifecycleRunner {
  private lastRun = 0;

  constructor(
    private readonly evidence: EvidenceRepository,
    private readonly repo: TaskRepository,
    private readonly source: TaskSource,
    private readonly publish: (e: TaskChanged) => Promise<void>,
    private readonly onFinal: (task: StoredTask, state: TaskState) => Promise<void>,
    private readonly lookbackMs: number,
  ) {}

  async run(asOf: number): Promise<LifecycleOutcome> {
    const started = Date.now();
    const since = (this.lastRun || started) - this.lookbackMs;
    const touched = await this.evidence.touchedSince(since);
    const due = await this.repo.due(asOf);
    const ids = [...new Set([...touched.map((d) => d._id), ...due.map((t) => t._id)])];
    // The touched states are read already: only the due tasks' are fetched again.
    const out = await this.check(ids, asOf, new Map(touched.map((d) => [d._id, d])));
    this.lastRun = started;
    return out;
  }

  /** Re-evaluates the given tasks as of a time; `known`: evidence states the caller has read already. */
  async check(
    ids: string[],
    asOf: number,
    known: ReadonlyMap<string, EvidenceDoc> = new Map(),
  ): Promise<LifecycleOutcome> {
    const out: LifecycleOutcome = { checked: 0, changed: 0, published: 0 };
    if (!ids.length) return out;
    const tasks = await this.repo.byIds(ids);
    const compiled = await this.source.byIds(tasks.map((t) => t._id));
    const docs = new Map(known);
    const unread = tasks.filter((t) => !known.has(t._id)).map((t) => ({ id: t._id, day: t.day }));
    for (const [id, doc] of await this.evidence.states(unread)) docs.set(id, doc);
    const writes = [];
    for (const t of tasks) {
      const c = compiled.get(t._id);
      if (!c || asOf < t.windowStart) continue;
      out.checked++;
      const doc = docs.get(t._id);
      const summary = summarize(c, doc, asOf);
      const state = taskState(t, summary, !!doc, asOf, { completedAt: t.completedAt ?? null });
      const fingerprint = publishedFingerprint(state);
      const bump = fingerprint !== t.fingerprint;
      const same =
        !bump &&
        t.status === state.status &&
        JSON.stringify(t.metrics ?? null) === JSON.stringify(state.metrics) &&
        !t.recheck;
      if (same) continue;
      if (bump) {
        await this.publish(taskChanged(t, t._id, state, (t.rev ?? 1) + 1, asOf));
        out.published++;
        if (state.final && !t.final) await this.onFinal(t, state);
      }
      writes.push({ id: t._id, rev: t.rev ?? 1, bump, state, summary, fingerprint });
    }
    out.changed = await this.repo.writeStates(writes);
    return out;
  }
}
