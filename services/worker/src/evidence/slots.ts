/** Slot number of a time: the engine's unit of evidence (sets of slots merge idempotently in any order). */
export const slotOf = (ts: number, slotMs: number) => Math.floor(ts / slotMs);

/**
 * Groups slot numbers into runs [first, last]; a new run starts when the gap to the previous slot exceeds maxGap.
 * Passes over a cell, visits to a site and stays in an area are all runs.
 */
export function runs(values: readonly number[] | undefined, maxGap: number): [number, number][] {
  if (!values || values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const out: [number, number][] = [];
  let start = sorted[0];
  let prev = sorted[0];
  for (let i = 1; i < sorted.length; i++) {
    const v = sorted[i];
    if (v - prev > maxGap) {
      out.push([start, prev]);
      start = v;
    }
    prev = v;
  }
  out.push([start, prev]);
  return out;
}
