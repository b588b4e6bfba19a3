import type { Document } from 'mongodb';
import { escapeFieldName } from '@dwg/persistence';
import type { EvidenceDelta, EvidenceDoc } from '../evidence';

/**
 * Layout of the evidence state (pure, no driver): the tasks of a service day are spread over a fixed number of
 * bucket documents by a stable hash of their id, and each task's state lives in its bucket under `t.<key>`, where
 * the key is the task id with `%`, `.` and `$` escaped (field names cannot hold dots or start with `$`).
 *
 * Why: on FerretDB every update statement scans its whole collection, so a fold costs (statements) × (bytes of
 * the collection). One statement per touched bucket instead of one per touched task, in a collection that holds
 * one service day only, keeps a fold round at a few dozen statements whatever the number of tasks or days.
 *
 * Per-cell and per-site sets are stored pivoted, by time: the engine's `cells.c12: [minute…]` is kept as
 * `cells:c.m<minute>: [12…]`. A statement's cost also grows with the fields it touches and the fields of the
 * document it rewrites; a fold round meets a few new minutes per task but dozens of cells, and a task's day has
 * fewer minutes with hits than cells, so pivoting cuts the paths per update several times and the state by a
 * third.
 * Readers get the engine's shape back (`partOf`), so the pivot is invisible outside this file.
 */

/** Bucket documents per service day unless configured (WORKER_EVIDENCE_BUCKETS). */
export const DEFAULT_BUCKETS = 8;

/** A bucket document: a day's share of the tasks. */
export interface BucketDoc {
  _id: string;
  day: string;
  /** Newest fold into any task of the bucket (the lifecycle's and the summaries' "touched since"). */
  touchedAt?: number;
  /** asOf of the newest summary run written into the bucket (an older run never overwrites it). */
  summaryAsOf?: number;
  t?: Record<string, TaskPart>;
}

/** One task's state inside its bucket: an EvidenceDoc without _id and day. */
export type TaskPart = Omit<EvidenceDoc, '_id' | 'day' | 'taskId'> & {
  touchedAt?: number;
  [pivoted: `${string}:${string}`]: Record<string, number[]>;
};

/** `cells.c12` → group `cells`, prefix `c`, member 12. */
const MEMBER_PATH = /^(\w+)\.([a-z]+)(\d+)$/;
const PIVOTED = /^(\w+):([a-z]+)$/;

export const keyOf = (taskId: string): string => escapeFieldName(taskId);

export function taskIdOf(key: string): string {
  return decodeURIComponent(key);
}

/** The stored $addToSet entries of one delta path: pivoted by value for per-member sets, as is otherwise. */
function storedAdds(path: string, values: readonly number[], into: Record<string, number[]>): void {
  const m = MEMBER_PATH.exec(path);
  if (!m) {
    (into[path] ??= []).push(...values);
    return;
  }
  const member = Number(m[3]);
  for (const v of values) (into[`${m[1]}:${m[2]}.m${v}`] ??= []).push(member);
}

/** FNV-1a: stable across processes and versions, unlike any runtime hash. */
export function bucketOf(taskId: string, buckets: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) {
    h ^= taskId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `b${String(h % buckets).padStart(3, '0')}`;
}

/**
 * One update for all the deltas of one bucket: $addToSet/$each, $min, $max on each task's paths and $inc of its
 * rev, so folding the same deltas twice or in any order converges on the same sets, minima and maxima.
 */
export function bucketUpdate(day: string, deltas: readonly EvidenceDelta[], now: number): Document {
  const set: Document = { day };
  const inc: Document = {};
  const max: Document = { touchedAt: now };
  const min: Document = {};
  const add: Document = {};
  for (const d of deltas) {
    const p = `t.${keyOf(d.taskId)}`;
    set[`${p}.type`] = d.type;
    inc[`${p}.rev`] = 1;
    max[`${p}.touchedAt`] = now;
    for (const [k, v] of Object.entries(d.max)) max[`${p}.${k}`] = v;
    for (const [k, v] of Object.entries(d.min)) min[`${p}.${k}`] = v;
    const adds: Record<string, number[]> = {};
    for (const [k, v] of Object.entries(d.add)) storedAdds(k, v, adds);
    for (const [k, v] of Object.entries(adds)) add[`${p}.${k}`] = { $each: v };
  }
  const u: Document = { $set: set, $inc: inc, $max: max };
  if (Object.keys(min).length) u.$min = min;
  if (Object.keys(add).length) u.$addToSet = add;
  return u;
}

/** The task's state as callers know it (one document per task), or undefined when the bucket has none. */
export function partOf(bucket: BucketDoc | null | undefined, taskId: string): EvidenceDoc | undefined {
  const part = bucket?.t?.[keyOf(taskId)];
  return part && bucket ? unpivot(part, taskId, bucket.day) : undefined;
}

export function partsOf(bucket: BucketDoc): EvidenceDoc[] {
  return Object.entries(bucket.t ?? {}).map(([key, part]) => unpivot(part, taskIdOf(key), bucket.day));
}

function unpivot(part: TaskPart, taskId: string, day: string): EvidenceDoc {
  const out: Record<string, unknown> = { _id: taskId, taskId, day };
  const groups = new Set<string>();
  for (const [k, v] of Object.entries(part)) {
    const m = PIVOTED.exec(k);
    if (!m) {
      out[k] = v;
      continue;
    }
    groups.add(m[1]);
    const group = (out[m[1]] ??= {}) as Record<string, number[]>;
    for (const [mv, members] of Object.entries(v as Record<string, number[]>)) {
      const value = Number(mv.slice(1));
      for (const member of members) (group[`${m[2]}${member}`] ??= []).push(value);
    }
  }
  for (const [k, v] of Object.entries(out)) {
    if (Array.isArray(v)) v.sort((a, b) => a - b);
    else if (v && typeof v === 'object' && groups.has(k))
      for (const arr of Object.values(v as Record<string, number[]>)) arr.sort((a, b) => a - b);
  }
  return out as unknown as EvidenceDoc;
}
