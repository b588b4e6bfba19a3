import type { EvidenceTask } from '../evidence';

/**
 * FerretDB v1 refuses nested arrays ("nested arrays are not supported"), and route lines and polygons are exactly
 * that. Stored tasks wrap every array that holds arrays as { nested: [{ v: … }] }; the engine sees plain GeoJSON
 * coordinate arrays. Drop this when the stack runs on MongoDB or FerretDB v2.
 */
export interface TaskDoc extends Omit<EvidenceTask, 'spec'> {
  _id: string;
  spec: unknown;
}

type Nested = { nested: { v: unknown }[] };

export function encodeNested(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.some(Array.isArray) ? ({ nested: v.map((x) => ({ v: encodeNested(x) })) } satisfies Nested) : v;
  }
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeNested(x)]));
  }
  return v;
}

export function decodeNested(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeNested);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.nested) && Object.keys(o).length === 1)
      return (o as Nested).nested.map((x) => decodeNested(x.v));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeNested(x)]));
  }
  return v;
}

export function toTaskDoc(task: EvidenceTask): TaskDoc {
  const { id, spec, options, ...rest } = task;
  return { _id: id, id, ...rest, ...(options ? { options } : {}), spec: encodeNested(spec) };
}

export function fromTaskDoc(doc: TaskDoc): EvidenceTask {
  const { _id, spec, ...rest } = doc;
  return { ...rest, id: String(_id), spec: decodeNested(spec) as EvidenceTask['spec'] };
}
