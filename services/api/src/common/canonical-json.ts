/**
 * JSON with object keys sorted at every level, so that the same value always gives the same text (and hash),
 * whatever order the database returns the keys in. Dates become ISO strings, undefined members are dropped.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

export function normalise(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalise(v)));
  if (typeof value === 'object') {
    const v = value as Record<string, unknown> & { toHexString?: () => string };
    if (typeof v.toHexString === 'function') return v.toHexString();
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = normalise(v[k]);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
