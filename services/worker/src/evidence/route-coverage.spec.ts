import { lineChunk, lineString, point, pointToLineDistance } from '@turf/turf';
import { applyDelta } from './delta';
import { compileTask, evaluate, summarize, TaskIndex } from './engine';
import { resolveOptions } from './options';
import { cellsNear, compileRoute, type RouteSummary } from './route-coverage';
import { drive, offset, ORIGIN, straightRoute } from './test-geometry';
import type { EvidenceDoc, EvidencePoint, EvidenceTask, RouteSpec } from './types';

const T0 = Date.UTC(2026, 0, 5, 0, 0); // 08:00 in Guangzhou
const HOUR = 3_600_000;
const line = straightRoute(1000);

function routeTask(over: Partial<RouteSpec> = {}): EvidenceTask<RouteSpec> {
  return {
    id: 'task-route-1',
    day: '2026-01-05',
    windowStart: T0,
    windowEnd: T0 + 8 * HOUR,
    subjects: ['veh-1'],
    spec: { type: 'route', routeId: 'r1', line, operation: 'sweep', passes: 1, ...over },
  };
}

/** Feeds batches in order through evaluate → applyDelta (the same semantics as the MongoDB update). */
function run(task: EvidenceTask, batches: EvidencePoint[][], state?: EvidenceDoc) {
  const compiled = compileTask(task);
  const index = new TaskIndex([compiled]);
  let doc = state;
  for (const b of batches) for (const d of evaluate(index, b)) doc = applyDelta(doc, d);
  return { doc, summary: summarize(compiled, doc, T0 + 8 * HOUR) as RouteSummary };
}

describe('route coverage', () => {
  it('covers at least 98 % of the route driven end to end with the operation on', () => {
    const { summary } = run(routeTask(), [drive(line, 0, 1000, { t0: T0 })]);
    expect(summary.lengthM).toBeCloseTo(1000, 0);
    expect(summary.coverage).toBeGreaterThanOrEqual(0.98);
    expect(summary.done).toBe(true);
  });

  it('covers 50 % ± 5 % when only the first half is driven', () => {
    const { summary } = run(routeTask(), [drive(line, 0, 500, { t0: T0 })]);
    expect(summary.coverage).toBeGreaterThanOrEqual(0.45);
    expect(summary.coverage).toBeLessThanOrEqual(0.55);
    expect(summary.done).toBe(false);
  });

  it('covers nothing when the required operation is off', () => {
    const { summary, doc } = run(routeTask(), [
      drive(line, 0, 1000, { t0: T0, extra: { ops: { sweep: false, spray: true } } }),
    ]);
    expect(summary.coverage).toBe(0);
    expect(doc).toBeUndefined();
  });

  it('covers nothing above the operation speed limit, or off the buffer', () => {
    expect(run(routeTask(), [drive(line, 0, 1000, { t0: T0, extra: { spd: 35 } })]).summary.coverage).toBe(0);
    const parallel = [offset(ORIGIN, 0, 40), offset(ORIGIN, 1000, 40)];
    expect(run(routeTask(), [drive(parallel, 0, 1000, { t0: T0 })]).summary.coverage).toBe(0);
  });

  it('lets a late batch (an offline spell uploaded afterwards) correct the coverage', () => {
    const live = drive(line, 0, 1000, { t0: T0 });
    const before = live.filter((_, i) => i < 40 || i > 70); // ~300 m missing while the terminal was offline
    const late = live.filter((_, i) => i >= 40 && i <= 70);
    const first = run(routeTask(), [before]);
    expect(first.summary.coverage).toBeLessThan(0.75);
    const corrected = run(routeTask(), [late], first.doc);
    expect(corrected.summary.coverage).toBeGreaterThanOrEqual(0.98);
    // Same state as if everything had arrived on time, in one batch.
    expect(corrected.summary).toEqual(run(routeTask(), [live]).summary);
  });

  it('gives the same state when the same batch is processed twice', () => {
    const batch = drive(line, 0, 600, { t0: T0 });
    const once = run(routeTask(), [batch]);
    const twice = run(routeTask(), [batch], once.doc);
    expect(twice.summary).toEqual(once.summary);
    expect({ ...twice.doc, rev: 0 }).toEqual({ ...once.doc, rev: 0 });
  });

  it('counts a second pass only after the vehicle has been away from the cell for the pass gap', () => {
    const task = routeTask({ passes: 2 });
    const out = drive(line, 0, 1000, { t0: T0 });
    // Straight back: the far end is revisited within minutes (the same pass), the near end after ~8 minutes.
    const quickBack = drive(line, 1000, 0, { t0: T0 + 101 * 5000 });
    expect(run(task, [out, quickBack]).summary.coverage).toBeLessThan(0.5);
    const laterBack = drive(line, 1000, 0, { t0: T0 + 2 * HOUR });
    expect(run(task, [out, laterBack]).summary.coverage).toBeGreaterThanOrEqual(0.98);
    expect(run(task, [out]).summary.coverage).toBe(0);
  });

  it('finds the same cells as turf pointToLineDistance on each cell', () => {
    const bent = [ORIGIN, offset(ORIGIN, 300, 0), offset(ORIGIN, 300, 250), offset(ORIGIN, 520, 400)];
    const opts = resolveOptions();
    const r = compileRoute({ type: 'route', routeId: 'bent', line: bent, operation: null, passes: 1 }, opts);
    const chunks = lineChunk(lineString(bent), opts.coverage.cellM, { units: 'meters' }).features;
    let rnd = 7;
    const next = () => (rnd = (rnd * 16807) % 2147483647) / 2147483647;
    let compared = 0;
    for (let k = 0; k < 400; k++) {
      const [lng, lat] = offset(ORIGIN, next() * 560 - 20, next() * 440 - 20);
      const byTurf = chunks
        .map((c, i) => ({ i, d: pointToLineDistance(point([lng, lat]), c, { units: 'meters' }) }))
        .filter(({ d }) => Math.abs(d - opts.coverage.bufferM) > 0.1); // skip points on the buffer's edge
      const near = new Set(cellsNear(r, lng, lat));
      for (const { i, d } of byTurf) {
        expect([i, near.has(i)]).toEqual([i, d <= opts.coverage.bufferM]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('ignores records outside the task window', () => {
    const { summary } = run(routeTask(), [drive(line, 0, 1000, { t0: T0 - 2 * HOUR })]);
    expect(summary.coverage).toBe(0);
  });
});
