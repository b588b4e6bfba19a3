import type { EvidenceDelta, EvidenceDoc, TaskType } from './types';

/** Collects one task's evidence from many records before it is turned into one update. */
export class DeltaBuilder {
  private readonly sets = new Map<string, Set<number>>();
  private readonly mins = new Map<string, number>();
  private readonly maxs = new Map<string, number>();

  constructor(
    readonly taskId: string,
    readonly day: string,
    readonly type: TaskType,
  ) {}

  add(path: string, value: number): void {
    let s = this.sets.get(path);
    if (!s) this.sets.set(path, (s = new Set()));
    s.add(value);
  }

  min(path: string, value: number): void {
    const v = this.mins.get(path);
    if (v === undefined || value < v) this.mins.set(path, value);
  }

  max(path: string, value: number): void {
    const v = this.maxs.get(path);
    if (v === undefined || value > v) this.maxs.set(path, value);
  }

  get empty(): boolean {
    return this.sets.size === 0 && this.mins.size === 0 && this.maxs.size === 0;
  }

  build(): EvidenceDelta {
    const add: Record<string, number[]> = {};
    for (const [k, s] of this.sets) add[k] = [...s];
    return {
      taskId: this.taskId,
      day: this.day,
      type: this.type,
      add,
      min: Object.fromEntries(this.mins),
      max: Object.fromEntries(this.maxs),
    };
  }
}

/** Union of two deltas of the same task (for group commit: many batches, one update per task). */
export function mergeDelta(into: EvidenceDelta, d: EvidenceDelta): EvidenceDelta {
  for (const [k, vals] of Object.entries(d.add)) {
    const cur = into.add[k];
    if (!cur) into.add[k] = [...vals];
    else {
      const seen = new Set(cur);
      for (const v of vals) if (!seen.has(v)) cur.push(v);
    }
  }
  for (const [k, v] of Object.entries(d.min))
    if (into.min[k] === undefined || v < into.min[k]) into.min[k] = v;
  for (const [k, v] of Object.entries(d.max))
    if (into.max[k] === undefined || v > into.max[k]) into.max[k] = v;
  return into;
}

/**
 * Applies a delta to a state in memory with exactly the semantics of the MongoDB update the repository sends
 * ($addToSet/$each, $min, $max, $inc rev): used by the unit tests and the benchmark to prove idempotency and
 * late correction without a database.
 */
export function applyDelta(doc: EvidenceDoc | undefined, d: EvidenceDelta): EvidenceDoc {
  const out: EvidenceDoc = doc
    ? structuredClone(doc)
    : { _id: d.taskId, taskId: d.taskId, day: d.day, type: d.type };
  const o = out as unknown as Record<string, unknown>;
  for (const [path, vals] of Object.entries(d.add)) {
    const arr = (getPath(o, path) as number[] | undefined) ?? [];
    const seen = new Set(arr);
    for (const v of vals) {
      if (seen.has(v)) continue;
      seen.add(v);
      arr.push(v);
    }
    setPath(o, path, arr);
  }
  for (const [path, v] of Object.entries(d.min)) {
    const cur = getPath(o, path) as number | undefined;
    if (cur === undefined || v < cur) setPath(o, path, v);
  }
  for (const [path, v] of Object.entries(d.max)) {
    const cur = getPath(o, path) as number | undefined;
    if (cur === undefined || v > cur) setPath(o, path, v);
  }
  out.rev = (out.rev ?? 0) + 1;
  return out;
}

function getPath(o: Record<string, unknown>, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function setPath(o: Record<string, unknown>, path: string, v: unknown): void {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = v;
}
