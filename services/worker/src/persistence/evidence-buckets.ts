import type { Document } from 'mongodb';
import type { EvidenceDelta, EvidenceDoc } from '../evidence';

/**
 * Layout of the evidence state (pure, no driver): the tasks of a service day are spread over a fixed number of
 * bucket documents by a stable hash of their id, and each task's state lives in its bucket under `t.<key>`, where
 * the key is the task id with `%`, `.` and `$` escaped (field names cannot hold dots or start with `$`).
 *
 * Why: on FerretDB every update statement scans its whole collection, so a fold costs (statements) × (bytes of
 * the collection). One statement per touched bucket instead of one per touched task, in a collection that holds
 * one service day only, keeps a fold round at a few dozen cheap statements whatever the number of tasks or days.
 */

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
export type TaskPart = Omit<EvidenceDoc, '_id' | 'day'> & { touchedAt?: number; summaryAsOf?: number };

export function keyOf(taskId: string): string {
  return taskId.replace(/[%.$]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
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
    set[`${p}.taskId`] = d.taskId;
    set[`${p}.type`] = d.type;
    inc[`${p}.rev`] = 1;
    max[`${p}.touchedAt`] = now;
    for (const [k, v] of Object.entries(d.max)) max[`${p}.${k}`] = v;
    for (const [k, v] of Object.entries(d.min)) min[`${p}.${k}`] = v;
    for (const [k, v] of Object.entries(d.add)) add[`${p}.${k}`] = { $each: v };
  }
  const u: Document = { $set: set, $inc: inc, $max: max };
  if (Object.keys(min).length) u.$min = min;
  if (Object.keys(add).length) u.$addToSet = add;
  return u;
}

/** The task's state as callers know it (one document per task), or undefined when the bucket has none. */
export function partOf(bucket: BucketDoc | null | undefined, taskId: string): EvidenceDoc | undefined {
  const part = bucket?.t?.[keyOf(taskId)];
  if (!part || !bucket) return undefined;
  return { ...part, _id: taskId, taskId, day: bucket.day } as EvidenceDoc;
}

export function partsOf(bucket: BucketDoc): EvidenceDoc[] {
  return Object.values(bucket.t ?? {}).map(
    (part) => ({ ...part, _id: part.taskId, day: bucket.day }) as EvidenceDoc,
  );
}
