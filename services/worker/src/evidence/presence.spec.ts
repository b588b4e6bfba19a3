import { applyDelta } from './delta';
import { compileTask, evaluate, summarize, TaskIndex, type EvidenceSummary } from './engine';
import { resolveOptions } from './options';
import { runs } from './slots';
import { offset, ORIGIN, square, stay } from './test-geometry';
import type { AreaSummary } from './area';
import type { OnlineSummary } from './online';
import type { PostSummary } from './post';
import type { SitesSummary } from './sites';
import type { EvidenceDoc, EvidencePoint, EvidenceTask, TaskSpec } from './types';

const START = Date.UTC(2026, 0, 5, 0, 0);
const MIN = 60_000;
const END = START + 8 * 60 * MIN;
const zone = square(ORIGIN, 200);
const inZone = offset(ORIGIN, 100, 100);
const outOfZone = offset(ORIGIN, 400, 100);

function task(spec: TaskSpec, subjects = ['bdg-1']): EvidenceTask {
  return { id: `task-${spec.type}`, day: '2026-01-05', windowStart: START, windowEnd: END, subjects, spec };
}

function run<S extends EvidenceSummary>(
  t: EvidenceTask,
  batches: EvidencePoint[][],
  asOf = END,
): { summary: S; doc?: EvidenceDoc } {
  const c = compileTask(t);
  const index = new TaskIndex([c]);
  let doc: EvidenceDoc | undefined;
  for (const b of batches) for (const d of evaluate(index, b)) doc = applyDelta(doc, d);
  return { summary: summarize(c, doc, asOf) as S, doc };
}

describe('worker attendance and on-post time', () => {
  const post = task({ type: 'post', zone });

  it('has the worker on time, on post and never off post when the badge stays inside', () => {
    const { summary } = run<PostSummary>(post, [
      stay(inZone, START - 5 * MIN, 8 * 60 * MIN + 5 * MIN, 30_000),
    ]);
    expect(summary.attendance).toBe('on_time');
    expect(summary.offPost).toEqual([]);
    expect(summary.onPostRate).toBeGreaterThanOrEqual(0.99);
  });

  it('records exactly one off-post episode when the badge is outside longer than the threshold', () => {
    const points = [
      ...stay(inZone, START, 60 * MIN, 30_000),
      ...stay(outOfZone, START + 60 * MIN, 20 * MIN, 30_000),
      ...stay(inZone, START + 80 * MIN, 400 * MIN, 30_000),
    ];
    const { summary } = run<PostSummary>(post, [points]);
    expect(summary.offPost).toHaveLength(1);
    expect(summary.offPost[0]).toEqual({ from: START + 60 * MIN, to: START + 80 * MIN, ms: 20 * MIN });
    expect(summary.onPostRate).toBeCloseTo(460 / 480, 2);
  });

  it('records no episode for a step outside shorter than the threshold, and honours a per-contract threshold', () => {
    const points = [
      ...stay(inZone, START, 60 * MIN, 30_000),
      ...stay(outOfZone, START + 60 * MIN, 10 * MIN, 30_000),
      ...stay(inZone, START + 70 * MIN, 410 * MIN, 30_000),
    ];
    expect(run<PostSummary>(post, [points]).summary.offPost).toEqual([]);
    const strict = { ...post, options: { post: { offPostMin: 5 } } };
    expect(run<PostSummary>(strict, [points]).summary.offPost).toHaveLength(1);
  });

  it('finds the episode the same way when its records arrive late and out of order', () => {
    const inside = [
      ...stay(inZone, START, 60 * MIN, 30_000),
      ...stay(inZone, START + 80 * MIN, 400 * MIN, 30_000),
    ];
    const outside = stay(outOfZone, START + 60 * MIN, 20 * MIN, 30_000).reverse();
    const { summary } = run<PostSummary>(post, [inside, outside, inside]);
    expect(summary.offPost).toHaveLength(1);
  });

  it('is on time with a clock-in inside the zone by start + grace, late after it, absent without one', () => {
    const onTime = run<PostSummary>(post, [[...stay(inZone, START + 9 * MIN, 1, 1, { evt: 'in' })]]);
    expect(onTime.summary.attendance).toBe('on_time');
    const late = run<PostSummary>(post, [stay(inZone, START + 25 * MIN, 30 * MIN, 30_000)]);
    expect(late.summary).toMatchObject({ attendance: 'late', arrivedAt: START + 25 * MIN });
    // A clock-in away from the post is not an arrival on post.
    const elsewhere = run<PostSummary>(
      post,
      [stay(outOfZone, START - 5 * MIN, 1, 1, { evt: 'in' })],
      START + 30 * MIN,
    );
    expect(elsewhere.summary.attendance).toBe('absent');
    expect(run<PostSummary>(post, [[]], START + 5 * MIN).summary.attendance).toBe('pending');
  });

  it('counts a badge as seen when it reported during the shift, even only outside the zone', () => {
    const outside = run<PostSummary>(post, [stay(outOfZone, START + 30 * MIN, 10 * MIN, 30_000)]);
    expect(outside.summary).toMatchObject({ attendance: 'absent', offPost: [], onPostMs: 0, seen: true });
    expect(run<PostSummary>(post, [[]]).summary.seen).toBe(false);
    // Before the shift only (an early clock-in away from the post): not seen during the shift.
    const early = run<PostSummary>(post, [stay(outOfZone, START - 30 * MIN, 10 * MIN, 30_000)]);
    expect(early.summary.seen).toBe(false);
  });
});

describe('checkpoint and collection-point visits', () => {
  const bin = offset(ORIGIN, 50, 0);
  const collection = task(
    {
      type: 'sites',
      requireLift: true,
      sites: [
        { id: 'bin-1', at: bin, radiusM: 15, dwellS: 20 },
        { id: 'bin-2', at: offset(ORIGIN, 500, 0) },
      ],
    },
    ['veh-9'],
  );
  const truck = (at: typeof bin, t0: number, ms: number, lift: boolean) =>
    stay(at, t0, ms, 5000, { deviceId: 'veh-9', evt: undefined, ops: { lift } });

  it('counts a collection when the truck dwells near the point with the lift on', () => {
    const { summary } = run<SitesSummary>(collection, [
      truck(offset(bin, 5, 3), START + 10 * MIN, 40_000, true),
    ]);
    expect(summary.detail[0]).toMatchObject({ siteId: 'bin-1', visits: 1, done: true });
    expect(summary).toMatchObject({ sites: 2, sitesDone: 1, share: 0.5, done: false });
  });

  it('does not count it with the lift off, too far away, or passing by without dwelling', () => {
    expect(run<SitesSummary>(collection, [truck(bin, START, 60_000, false)]).summary.sitesDone).toBe(0);
    expect(
      run<SitesSummary>(collection, [truck(offset(bin, 30, 0), START, 60_000, true)]).summary.sitesDone,
    ).toBe(0);
    expect(run<SitesSummary>(collection, [truck(bin, START, 5000, true)]).summary.sitesDone).toBe(0);
  });

  it('counts a patrol checkpoint visited by a badge without any lift', () => {
    const patrol = task({ type: 'sites', sites: [{ id: 'cp-1', at: inZone, dwellS: 60 }] });
    expect(run<SitesSummary>(patrol, [stay(inZone, START, 3 * MIN, 30_000)]).summary.done).toBe(true);
  });
});

describe('area presence', () => {
  const area = task({ type: 'area', polygon: zone, minDurationMin: 30 });

  it('is done after 40 minutes inside, in two stays', () => {
    const { summary } = run<AreaSummary>(area, [
      stay(inZone, START, 20 * MIN, 30_000),
      stay(inZone, START + 60 * MIN, 20 * MIN, 30_000),
    ]);
    expect(summary.presentMs).toBe(40 * MIN);
    expect(summary.done).toBe(true);
  });

  it('is not done after 10 minutes inside, and time outside does not count', () => {
    const { summary } = run<AreaSummary>(area, [
      stay(inZone, START, 10 * MIN, 30_000),
      stay(outOfZone, START + 10 * MIN, 60 * MIN, 30_000),
    ]);
    expect(summary.presentMs).toBe(10 * MIN);
    expect(summary.done).toBe(false);
  });
});

describe('vehicle online', () => {
  const online = task({ type: 'online' }, ['veh-1']);

  it('is online once the vehicle reported during the shift', () => {
    const { summary } = run<OnlineSummary>(online, [
      stay(ORIGIN, START + 60 * MIN, 60 * MIN, 5000, { deviceId: 'veh-1' }),
    ]);
    expect(summary.status).toBe('online');
    expect(summary.reportingShare).toBeCloseTo(1 / 8, 2);
  });

  it('is pending during the shift and offline after it without a record in it', () => {
    const before = stay(ORIGIN, START - 60 * MIN, 30 * MIN, 5000, { deviceId: 'veh-1' });
    expect(run<OnlineSummary>(online, [before], START + MIN).summary.status).toBe('pending');
    expect(run<OnlineSummary>(online, [before], END).summary.status).toBe('offline');
  });
});

describe('building blocks', () => {
  it('splits slots into runs at gaps larger than the limit, in any input order', () => {
    expect(runs([7, 1, 2, 3, 10, 11], 3)).toEqual([
      [1, 3],
      [7, 11],
    ]);
    expect(runs([7, 1, 2, 3, 10, 11], 2)).toEqual([
      [1, 3],
      [7, 7],
      [10, 11],
    ]);
    expect(runs([], 2)).toEqual([]);
  });

  it('overlays contract options on the defaults without touching the others', () => {
    const o = resolveOptions({ coverage: { bufferM: 25 } }, { post: { graceMin: 5 } });
    expect(o.coverage).toMatchObject({ bufferM: 25, cellM: 20 });
    expect(o.post).toMatchObject({ graceMin: 5, offPostMin: 15 });
    expect(resolveOptions().coverage.bufferM).toBe(15);
  });
});
