import type { Db } from 'mongodb';
import { compileTask, TaskIndex, type CompiledTask } from '../evidence';
import { WORKER_COLLECTIONS } from './collections';
import { fromTaskDoc, type TaskDoc } from './task.codec';

const HOUR = 3_600_000;
/** Tasks are looked up this far ahead of a record's time, for a shift's early-arrival margin. */
const LOOKAHEAD_MS = 6 * HOUR;

/**
 * Compiled tasks by hour of record time, cached for a few seconds: live batches hit the current hour's entry, a
 * late upload costs one query per hour it spans. Compiled geometry is kept per task id and version, so a refresh
 * recompiles only tasks that changed.
 */
export class TaskSource {
  private readonly hours = new Map<number, { at: number; index: Promise<TaskIndex> }>();
  private readonly compiled = new Map<string, { version: number; c: CompiledTask }>();

  constructor(
    private readonly db: Db,
    private readonly cacheMs: number,
  ) {}

  /** Points grouped by the index of their hour; a task spanning hours appears in each. */
  async indexFor(hourStart: number): Promise<TaskIndex> {
    const hit = this.hours.get(hourStart);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.index;
    // The promise is cached, so concurrent jobs of one hour share one query and one compile.
    const index = this.load(hourStart);
    this.hours.set(hourStart, { at: Date.now(), index });
    if (this.hours.size > 256) this.hours.delete(this.hours.keys().next().value as number);
    index.catch(() => {
      if (this.hours.get(hourStart)?.index === index) this.hours.delete(hourStart);
    });
    return index;
  }

  private async load(hourStart: number): Promise<TaskIndex> {
    const docs = await this.db
      .collection<TaskDoc>(WORKER_COLLECTIONS.tasks)
      .find({ windowStart: { $lt: hourStart + HOUR + LOOKAHEAD_MS }, windowEnd: { $gt: hourStart } })
      .toArray();
    return new TaskIndex(docs.map((d) => this.compile(d)));
  }

  async byIds(ids: string[]): Promise<Map<string, CompiledTask>> {
    const docs = ids.length
      ? await this.db
          .collection<TaskDoc>(WORKER_COLLECTIONS.tasks)
          .find({ _id: { $in: ids } })
          .toArray()
      : [];
    return new Map(docs.map((d) => [d._id, this.compile(d)]));
  }

  private compile(d: TaskDoc): CompiledTask {
    const id = String(d._id);
    const version = d.version ?? 0;
    const hit = this.compiled.get(id);
    if (hit && hit.version === version) return hit.c;
    const c = compileTask(fromTaskDoc(d));
    this.compiled.set(id, { version, c });
    return c;
  }
}

export const hourOf = (ts: number) => Math.floor(ts / HOUR) * HOUR;
