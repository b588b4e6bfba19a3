import type { TaskChanged, WorkOrderChanged } from './domain-events';
import { kpiRates, planDeltas, taskContribution, vectorDelta, workOrderContribution } from './kpi';

const key = {
  tenantId: 't',
  contractId: 'c',
  zoneId: 'z',
  serviceLine: 'sanitation' as const,
  day: '2026-10-05',
};
const post = (patch: Partial<TaskChanged> = {}, metrics: TaskChanged['metrics'] = {}): TaskChanged => ({
  ...key,
  taskId: 'p',
  rev: 1,
  type: 'post',
  status: 'completed',
  final: true,
  subjectKind: 'worker',
  subjectIds: ['w'],
  deviceIds: ['b'],
  windowStart: '',
  windowEnd: '',
  metrics: { attended: true, shiftMin: 480, onPostMin: 500, ...metrics },
  changedAt: '',
  ...patch,
});

describe('KPI contributions', () => {
  it('counts a task only once its status is final', () => {
    expect(taskContribution(post({ final: false, status: 'in_progress' }))).toEqual({});
    expect(taskContribution(post())).toMatchObject({ postShifts: 1, postAttended: 1, tasksCompleted: 1 });
  });

  it('caps time on post at the shift and covered length at the route', () => {
    expect(taskContribution(post()).postOnPostMin).toBe(480);
    const route = taskContribution(
      post({ type: 'route', status: 'completed' }, { routeLengthM: 1000, coveredLengthM: 1200 }),
    );
    expect([route.routeRequiredM, route.routeCoveredM]).toEqual([1000, 1000]);
  });

  it('counts site visits as checkpoints on patrol and as collection points elsewhere', () => {
    const m = { sitesRequired: 10, sitesVisited: 7 };
    expect(taskContribution(post({ type: 'sites', serviceLine: 'patrol' }, m))).toMatchObject({
      checkpointsRequired: 10,
      checkpointsVisited: 7,
    });
    expect(taskContribution(post({ type: 'sites', serviceLine: 'sorting' }, m))).toMatchObject({
      collectionsRequired: 10,
      collectionsVisited: 7,
    });
  });

  it('does not count merged work orders, and counts handling only once closed', () => {
    const wo = {
      ...key,
      workOrderId: 'w',
      rev: 1,
      category: 'x',
      source: 'resident',
      reportedAt: '',
      dispatchedAt: null,
      closedAt: null,
      dueAt: null,
      yellowCard: false,
      redCard: true,
      fixed: null,
      onTime: null,
      handlingMs: 60_000,
      reopenedCount: 2,
      rating: null,
      alarmId: null,
      changedAt: '',
    } as const;
    expect(workOrderContribution({ ...wo, state: 'merged' } as WorkOrderChanged)).toEqual({});
    const open = workOrderContribution({ ...wo, state: 'in_progress' } as WorkOrderChanged);
    expect(open).toMatchObject({ woReceived: 1, woRed: 1, woReopened: 2 });
    expect(open.woHandled).toBeUndefined();
  });
});

describe('deltas and rates', () => {
  it('applies only the difference between two revisions', () => {
    expect(vectorDelta({ postShifts: 1, postAttended: 0 }, { postShifts: 1, postAttended: 1 })).toEqual({
      postAttended: 1,
    });
  });

  it('takes the old share away from the old key when an entity moves', () => {
    const d = planDeltas(
      { key, vec: { woReceived: 1 } },
      { key: { ...key, zoneId: 'z2' }, vec: { woReceived: 1 } },
    );
    expect(d).toEqual([
      { key, delta: { woReceived: -1 } },
      { key: { ...key, zoneId: 'z2' }, delta: { woReceived: 1 } },
    ]);
    expect(planDeltas({ key, vec: { woReceived: 1 } }, { key, vec: { woReceived: 1 } })).toEqual([]);
  });

  it('gives rates from counters, and no rate where nothing was due', () => {
    const r = kpiRates({ postShifts: 10, postAttended: 8, woHandled: 2, woHandlingMs: 4 * 3_600_000 });
    expect(r.attendanceRate).toBe(0.8);
    expect(r.woMeanHandlingMin).toBe(120);
    expect(r.vehicleOnlineRate).toBeNull();
  });
});
