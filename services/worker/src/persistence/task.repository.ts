import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import type { TaskStatus } from '@dwg/contracts';
import type { GeneratedTask } from '../tasks/generation';
import type { TaskState } from '../tasks/lifecycle';
import { bulkWriteInCommands } from '@dwg/persistence';
import { WORKER_COLLECTIONS } from './collections';
import { fromTaskDoc, toTaskDoc, type TaskDoc } from './task.codec';

/** A stored task: the generated definition plus its lifecycle (status, rev, summary, photos). */
export type StoredTask = TaskDoc &
  Omit<GeneratedTask, 'id' | 'spec'> & {
    status: TaskStatus;
    final: boolean;
    rev: number;
    completedAt?: number | null;
    onTime?: boolean | null;
    metrics?: Record<string, unknown>;
    summary?: unknown;
    fingerprint?: string;
    photoIds?: string[];
    /** Set by the api when something besides evidence changed (a photo): the lifecycle looks again. */
    recheck?: boolean;
    createdAt?: Date;
    changedAt?: Date;
  };

/** Hash of a stored definition, so regenerating an unchanged task costs a read, not a write. */
function hashOf(v: unknown): string {
  return createHash('sha1').update(JSON.stringify(v)).digest('base64url');
}

/** Tasks per hash read; their writes go in smaller commands (WRITE_STATEMENTS_PER_COMMAND). */
const CHUNK = 50;

export class TaskRepository {
  constructor(private readonly db: Db) {}

  get col() {
    return this.db.collection<StoredTask>(WORKER_COLLECTIONS.tasks);
  }

  /**
   * Upserts generated tasks by their deterministic ids: the definition is set, the lifecycle only initialised on
   * insert, so generating again changes nothing and never resets a task's status. Returns the ids inserted.
   */
  async upsert(
    tasks: readonly GeneratedTask[],
    now = new Date(),
  ): Promise<{ inserted: string[]; updated: number; unchanged: number }> {
    const inserted: string[] = [];
    let updated = 0;
    let unchanged = 0;
    for (let i = 0; i < tasks.length; i += CHUNK) {
      const chunk = tasks.slice(i, i + CHUNK).map((t) => {
        const { _id, ...definition } = toTaskDoc(t) as TaskDoc & Document;
        return { t, _id, definition: { ...definition, defHash: hashOf(definition) } };
      });
      // Most runs regenerate what is already stored: read the hashes first and write only what changed.
      const stored = new Map(
        (
          await this.col
            .find({ _id: { $in: chunk.map((c) => c._id) } }, { projection: { defHash: 1 } })
            .toArray()
        ).map((d) => [d._id, (d as { defHash?: string }).defHash]),
      );
      const todo = chunk.filter((c) => stored.get(c._id) !== c.definition.defHash);
      unchanged += chunk.length - todo.length;
      if (!todo.length) continue;
      const ops: AnyBulkWriteOperation<StoredTask>[] = todo.map((c) => ({
        updateOne: {
          filter: { _id: c._id },
          update: {
            $set: c.definition,
            $setOnInsert: {
              status: 'pending',
              final: false,
              rev: 1,
              photoIds: [],
              createdAt: now,
              changedAt: now,
            },
          } as Document,
          upsert: true,
        },
      }));
      const res = await bulkWriteInCommands(this.col, ops);
      for (const idx of Object.keys(res.upsertedIds)) inserted.push(todo[Number(idx)].t.id);
      updated += res.modifiedCount;
    }
    return { inserted, updated, unchanged };
  }

  async byIds(ids: string[]): Promise<StoredTask[]> {
    const out: StoredTask[] = [];
    for (let i = 0; i < ids.length; i += 500)
      out.push(...(await this.col.find({ _id: { $in: ids.slice(i, i + 500) } }).toArray()));
    return out;
  }

  /**
   * Tasks whose window has ended but whose status is not yet final, tasks that started but were never evaluated
   * (so a task without any evidence still shows its zero metrics), and tasks flagged for a recheck.
   */
  async due(asOf: number): Promise<StoredTask[]> {
    return this.col
      .find({
        $or: [
          { final: false, windowEnd: { $lte: asOf } },
          { fingerprint: { $exists: false }, windowStart: { $lte: asOf } },
          { recheck: true },
        ],
      })
      .limit(5000)
      .toArray();
  }

  /** Tasks on duty at a time (window contains it). */
  async activeAt(ts: number): Promise<StoredTask[]> {
    return this.col.find({ windowStart: { $lte: ts }, windowEnd: { $gt: ts } }).toArray();
  }

  /**
   * Writes new lifecycle states, each only if the task's rev is still the one read (another run that got there
   * first wins; its result is the same). `bump` states get rev + 1 (a published change).
   */
  async writeStates(
    items: {
      id: string;
      rev: number;
      bump: boolean;
      state: TaskState;
      summary: unknown;
      fingerprint: string;
    }[],
    now = new Date(),
  ): Promise<number> {
    const res = await bulkWriteInCommands(
      this.col,
      items.map((s): AnyBulkWriteOperation<StoredTask> => ({
        updateOne: {
          filter: { _id: s.id, rev: s.rev },
          update: {
            $set: {
              status: s.state.status,
              final: s.state.final,
              completedAt: s.state.completedAt,
              onTime: s.state.onTime,
              metrics: s.state.metrics,
              summary: s.summary,
              fingerprint: s.fingerprint,
              recheck: false,
              ...(s.bump ? { rev: s.rev + 1, changedAt: now } : {}),
            },
          } as Document,
        },
      })),
    );
    return res.modifiedCount;
  }
}

export { fromTaskDoc };
