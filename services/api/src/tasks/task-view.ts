/**
 * Tasks as the worker stores them: route lines and polygons inside `spec` are wrapped as {nested: [{v: …}]}
 * because FerretDB v1 stores no nested arrays (services/worker/src/persistence/task.codec.ts). The api unwraps
 * them for the client and shows times as ISO strings.
 */
export function decodeNested(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeNested);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.nested) && Object.keys(o).length === 1)
      return (o.nested as { v: unknown }[]).map((x) => decodeNested(x.v));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeNested(x)]));
  }
  return v;
}

const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString() : (ms ?? null));

/** A task for the api: id, ISO window, the evidence summary; the geometry only when `full`. */
export function showTask(doc: Record<string, unknown>, full: boolean): Record<string, unknown> {
  const { _id, id: _dup, spec, fingerprint: _f, recheck: _r, version: _v, ...rest } = doc;
  return {
    id: _id,
    ...rest,
    windowStart: iso(rest.windowStart),
    windowEnd: iso(rest.windowEnd),
    completedAt: iso(rest.completedAt),
    type: (spec as { type?: string } | undefined)?.type,
    ...(full ? { spec: decodeNested(spec) } : {}),
  };
}
