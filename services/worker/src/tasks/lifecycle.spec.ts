import type { AreaSummary, OnlineSummary, PostSummary, RouteSummary } from '../evidence';
import { publishedFingerprint, taskState } from './lifecycle';

const H = 3_600_000;
const task = { windowStart: 0, windowEnd: 8 * H };
const route = (coverage: number, touched: number, done = coverage >= 0.95): RouteSummary => ({
  type: 'route',
  lengthM: 1000,
  coveredM: coverage * 1000,
  coverage,
  touchedM: touched,
  cells: 50,
  cellsDone: coverage * 50,
  passesRequired: 1,
  done,
});

describe('task lifecycle', () => {
  it('is pending without evidence, in progress with the first evidence, completed once done (on time)', () => {
    expect(taskState(task, route(0, 0), false, H).status).toBe('pending');
    expect(taskState(task, route(0.2, 200), true, H).status).toBe('in_progress');
    const done = taskState(task, route(0.98, 1000), true, 2 * H);
    expect(done).toMatchObject({ status: 'completed', final: false, completedAt: 2 * H, onTime: true });
    expect(done.metrics).toEqual({ routeLengthM: 1000, coveredLengthM: 980, coverage: 0.98 });
  });

  it('ends partial with some progress and missed without; a late batch can still complete it', () => {
    expect(taskState(task, route(0.5, 500), true, 9 * H)).toMatchObject({
      status: 'partial',
      final: true,
      onTime: false,
    });
    expect(taskState(task, route(0, 0), false, 9 * H)).toMatchObject({ status: 'missed', final: true });
    // Evidence only counts records inside the window, so work proven by a late upload was done in time.
    expect(taskState(task, route(0.97, 1000), true, 10 * H)).toMatchObject({
      status: 'completed',
      final: true,
      completedAt: 8 * H,
      onTime: true,
    });
    expect(taskState(task, route(0.97, 1000), true, 10 * H, { completedAt: 3 * H }).completedAt).toBe(3 * H);
  });

  it('completes a green area only with a photo when one is required', () => {
    const area: AreaSummary = { type: 'area', presentMs: 40 * 60_000, requiredMs: 30 * 60_000, done: true };
    const g = { ...task, photoRequired: true };
    expect(taskState(g, area, true, 9 * H).status).toBe('partial');
    expect(taskState({ ...g, photoIds: ['p1'] }, area, true, 2 * H).status).toBe('completed');
    expect(taskState({ ...task, photoRequired: false }, area, true, 2 * H).status).toBe('completed');
  });

  it('judges a post at the end: on time and never off post completes, late is partial, absent is missed', () => {
    const post = (attendance: PostSummary['attendance'], offPost = 0): PostSummary => ({
      type: 'post',
      attendance,
      arrivedAt: attendance === 'absent' ? null : 60_000,
      onPostMs: attendance === 'absent' ? 0 : 7 * H,
      elapsedMs: 8 * H,
      onPostRate: 0.875,
      offPost: Array.from({ length: offPost }, () => ({ from: 0, to: 1, ms: 1 })),
      seen: attendance !== 'absent',
      done: true,
    });
    expect(taskState(task, post('on_time'), true, 2 * H).status).toBe('in_progress');
    const ok = taskState(task, post('on_time'), true, 8 * H);
    expect(ok.status).toBe('completed');
    expect(ok.metrics).toEqual({
      attended: true,
      shiftMin: 480,
      onPostMin: 420,
      offPostEpisodes: 0,
      reported: true,
    });
    expect(taskState(task, post('on_time', 1), true, 8 * H).status).toBe('partial');
    expect(taskState(task, post('late'), true, 8 * H).status).toBe('partial');
    const absent = taskState(task, post('absent'), false, 8 * H);
    expect(absent).toMatchObject({ status: 'missed', metrics: { attended: false, reported: false } });
    // Its badge reported during the shift, outside the zone only: absent from the post, but managed.
    const elsewhere = taskState(task, { ...post('absent'), seen: true }, true, 8 * H);
    expect(elsewhere).toMatchObject({ status: 'missed', metrics: { attended: false, reported: true } });
  });

  it('marks a vehicle online when it reported during the shift', () => {
    const online = (firstAt: number | null): OnlineSummary => ({
      type: 'online',
      status: firstAt === null ? 'offline' : 'online',
      firstAt,
      lastAt: firstAt,
      reportingShare: firstAt === null ? 0 : 0.5,
      done: true,
    });
    expect(taskState(task, online(1000), true, 8 * H)).toMatchObject({
      status: 'completed',
      metrics: { reported: true, onlineMin: 240 },
    });
    expect(taskState(task, online(null), false, 8 * H)).toMatchObject({
      status: 'missed',
      metrics: { reported: false },
    });
  });

  it('publishes an active task on real changes, not on every minute of on-post time', () => {
    const a = taskState(task, route(0.301, 300), true, H);
    const b = taskState(task, route(0.302, 310), true, H + 60_000);
    expect(publishedFingerprint(a)).toBe(publishedFingerprint(b));
    expect(publishedFingerprint(taskState(task, route(0.4, 400), true, H))).not.toBe(publishedFingerprint(a));
  });
});
