import type { EvidenceDelta } from '../evidence';

interface Known {
  sets: Map<string, Set<number>>;
  min: Map<string, number>;
  max: Map<string, number>;
}

/**
 * What this process knows to be stored per task: set members, minima and maxima it has written. Evidence only
 * grows (union, min, max), so a value known stored stays stored and a delta can drop it before writing; a delta
 * left with nothing is not written at all. Bounded: the oldest tasks are forgotten first (forgetting only costs a
 * redundant, harmless write).
 */
export class StoredEvidence {
  private readonly known = new Map<string, Known>();

  constructor(private readonly maxTasks = 20_000) {}

  /** The part of `d` not known to be stored, or null when everything is. */
  pare(d: EvidenceDelta): EvidenceDelta | null {
    const k = this.known.get(d.taskId);
    if (!k) return d;
    const out: EvidenceDelta = { taskId: d.taskId, day: d.day, type: d.type, add: {}, min: {}, max: {} };
    let any = false;
    for (const [path, vals] of Object.entries(d.add)) {
      const s = k.sets.get(path);
      const fresh = s ? vals.filter((v) => !s.has(v)) : vals;
      if (fresh.length) {
        out.add[path] = fresh;
        any = true;
      }
    }
    for (const [path, v] of Object.entries(d.min)) {
      const cur = k.min.get(path);
      if (cur === undefined || v < cur) {
        out.min[path] = v;
        any = true;
      }
    }
    for (const [path, v] of Object.entries(d.max)) {
      const cur = k.max.get(path);
      if (cur === undefined || v > cur) {
        out.max[path] = v;
        any = true;
      }
    }
    return any ? out : null;
  }

  /** Notes a delta as stored (after its write succeeded). */
  record(d: EvidenceDelta): void {
    let k = this.known.get(d.taskId);
    if (k)
      this.known.delete(d.taskId); // re-inserted below: Map order = least recently written first
    else k = { sets: new Map(), min: new Map(), max: new Map() };
    this.known.set(d.taskId, k);
    for (const [path, vals] of Object.entries(d.add)) {
      let s = k.sets.get(path);
      if (!s) k.sets.set(path, (s = new Set()));
      for (const v of vals) s.add(v);
    }
    for (const [path, v] of Object.entries(d.min)) {
      const cur = k.min.get(path);
      if (cur === undefined || v < cur) k.min.set(path, v);
    }
    for (const [path, v] of Object.entries(d.max)) {
      const cur = k.max.get(path);
      if (cur === undefined || v > cur) k.max.set(path, v);
    }
    while (this.known.size > this.maxTasks) this.known.delete(this.known.keys().next().value as string);
  }
}
