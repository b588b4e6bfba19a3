import { Queue } from 'bullmq';
import { domainEventJobId, QUEUES } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import {
  createTestDb,
  PipelineUnderTest,
  provisionDevices,
  publishPoints,
  uniqueName,
  waitUntil,
  type TestDb,
} from '@dwg/testing';
import { drive, offset, ORIGIN, square, stay, straightRoute } from '../src/evidence/test-geometry';
import type { EvidencePoint } from '../src/evidence';
import { WORKER_JOBS, WORKER_QUEUES } from '../src/jobs/queues';
import { WORKER_COLLECTIONS } from '../src/persistence/collections';
import type { StoredTask } from '../src/persistence/task.repository';
import type { AlarmDoc } from '../src/tasks/events';
import { taskId } from '../src/tasks/generation';
import { serviceDay } from '../src/tasks/service-day';

const MIN = 60_000;

/**
 * The real path: devices publish protocol v1 over MQTT → ingest → batch events → the worker's evidence, tasks
 * and alarms, on a contract written the way the api stores it (geometry as JSON text). Tasks come from the
 * worker's own generation job, not from the test.
 */
describe('worker: tasks from shifts, their evidence over MQTT, and alarms', () => {
  let db: TestDb;
  let pipeline: PipelineUnderTest;
  const prefix = uniqueName('ta');
  const now = Date.now();
  // A shift from 2 h ago to 2 h ahead, in local (UTC+8) HH:mm.
  const hhmm = (ts: number) => new Date(ts + 8 * 3_600_000).toISOString().slice(11, 16);
  const shiftStart = now - 2 * 60 * MIN;
  const day = serviceDay(shiftStart);
  const line = straightRoute(600);
  const zone = square(offset(ORIGIN, -200, -200), 1000);
  const t0 = now - 60 * MIN;
  const earlyStart = now - 3 * 60 * MIN;
  const earlyDay = serviceDay(earlyStart);
  const secrets = new Map<string, string>();

  const geo = (g: object) => JSON.stringify(g);
  const tenant = { contractId: 'ct-1', operatorId: 'op-1', agencyId: 'ag-1' };
  const shift = (
    id: string,
    assigneeType: string,
    assigneeId: string,
    targetType: string,
    targetId: string,
  ) => ({
    _id: id,
    ...tenant,
    name: id,
    assigneeType,
    assigneeId,
    targetType,
    targetId,
    days: [1, 2, 3, 4, 5, 6, 7],
    start: hhmm(shiftStart),
    end: hhmm(now + 2 * 60 * MIN),
    validFrom: '2025-01-01',
    graceMinutes: 10,
  });

  async function seedModel() {
    const d = db.db;
    await d.collection(COLLECTIONS.contracts).insertOne({
      _id: 'ct-1' as never,
      code: 'T-1',
      name: 'test',
      agencyId: 'ag-1',
      operatorId: 'op-1',
      serviceLines: ['sanitation', 'greening', 'patrol', 'waste_sorting'],
      startDate: '2025-01-01',
      endDate: '2030-12-31',
      kpiTargets: {},
      deductionRules: [],
    });
    await d.collection(COLLECTIONS.zones).insertOne({
      _id: 'zone-1' as never,
      ...tenant,
      name: 'grid',
      level: 'grid',
      geometry: geo({ type: 'Polygon', coordinates: zone }),
    });
    await d.collection(COLLECTIONS.routes).insertOne({
      _id: 'route-1' as never,
      ...tenant,
      name: 'road',
      serviceLine: 'sanitation',
      zoneId: 'zone-1',
      passesPerDay: 1,
      requiredOperation: 'sweep',
      geometry: geo({ type: 'LineString', coordinates: line }),
    });
    await d
      .collection(COLLECTIONS.teams)
      .insertOne({ _id: 'team-1' as never, ...tenant, name: 'team', serviceLine: 'sanitation' });
    await d.collection(COLLECTIONS.vehicles).insertMany(
      ['full', 'half', 'off'].map((k) => ({
        _id: `v-${k}` as never,
        ...tenant,
        plate: k,
        type: 'sweeper',
      })),
    );
    await d.collection(COLLECTIONS.workers).insertMany(
      ['leaves', 'stays'].map((k) => ({
        _id: `w-${k}` as never,
        ...tenant,
        employeeNo: k,
        name: k,
        role: 'sweeper',
        teamId: 'team-1',
      })),
    );
    const devices = [
      ...['full', 'half', 'off'].map((k) => ({
        deviceId: `veh-${k}-${prefix}`,
        kind: 'gps' as const,
        bind: { vehicleId: `v-${k}` },
      })),
      ...['leaves', 'stays'].map((k) => ({
        deviceId: `bdg-${k}-${prefix}`,
        kind: 'badge' as const,
        bind: { workerId: `w-${k}` },
      })),
    ];
    const { credentials } = await provisionDevices(
      d,
      devices.map(({ deviceId, kind }) => ({ deviceId, kind })),
    );
    for (const c of credentials) secrets.set(c.deviceId, c.secret);
    for (const dev of devices)
      await d
        .collection(COLLECTIONS.devices)
        .updateOne({ _id: dev.deviceId as never }, { $set: { ...tenant, ...dev.bind } });
    await d.collection(COLLECTIONS.shifts).insertMany([
      ...['full', 'half', 'off'].map((k) => shift(`sh-${k}`, 'vehicle', `v-${k}`, 'route', 'route-1')),
      shift('sh-team', 'team', 'team-1', 'zone', 'zone-1'),
      // A shift that ended an hour ago with no record at all (this vehicle has no terminal).
      {
        ...shift('sh-early', 'vehicle', 'v-early', 'route', 'route-1'),
        start: hhmm(earlyStart),
        end: hhmm(now - 60 * MIN),
      },
    ] as never[]);
  }

  const dev = (k: string) => `${k}-${prefix}`;
  const seqs = new Map<string, number>();
  async function publish(points: EvidencePoint[], kind: 'gps' | 'badge') {
    const deviceId = points[0].deviceId;
    const firstSeq = (seqs.get(deviceId) ?? 0) + 1;
    seqs.set(deviceId, firstSeq + points.length - 1);
    await publishPoints({ deviceId, secret: secrets.get(deviceId)! }, kind, points, firstSeq);
  }

  const tasks = () => db.db.collection<StoredTask>(WORKER_COLLECTIONS.tasks);
  const alarms = () => db.db.collection<AlarmDoc>(WORKER_COLLECTIONS.alarms);
  const stored = (deviceId: string) => db.db.collection(COLLECTIONS.telemetry).countDocuments({ deviceId });

  /** Lifecycle as of now, until the task's stored metrics satisfy `ok`. */
  async function metricsOf(id: string, ok: (m: Record<string, number>) => boolean, tag: string) {
    let i = 0;
    return waitUntil(
      `metrics of ${id} (${tag})`,
      async () => {
        await pipeline.runJob(WORKER_JOBS.tasks.lifecycle, { asOf: Date.now() }, `lc-${tag}-${i++}`);
        const t = await tasks().findOne({ _id: id });
        const m = t?.metrics as Record<string, number> | undefined;
        return m && ok(m) ? { task: t!, m } : null;
      },
      60_000,
    );
  }

  beforeAll(async () => {
    db = await createTestDb('tasks');
    await seedModel();
    pipeline = await PipelineUnderTest.start({ mongoUrl: db.url, prefix, tasksQueue: WORKER_QUEUES.tasks });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await db?.drop();
  });

  it("generates the day's tasks from the shifts, and generating again creates nothing twice", async () => {
    // The worker enqueues generation for today and tomorrow when it starts.
    const ours = { shiftId: { $ne: 'sh-early' }, day };
    await waitUntil('generated tasks', async () => (await tasks().countDocuments(ours)) >= 8);
    const first = await tasks().find(ours).sort({ _id: 1 }).toArray();
    expect(first.map((t) => t._id)).toEqual(
      [
        taskId('sh-full', day, 'online'),
        taskId('sh-full', day, 'route'),
        taskId('sh-half', day, 'online'),
        taskId('sh-half', day, 'route'),
        taskId('sh-off', day, 'online'),
        taskId('sh-off', day, 'route'),
        taskId('sh-team', day, 'post', 'w-leaves'),
        taskId('sh-team', day, 'post', 'w-stays'),
      ].sort(),
    );
    const again = await pipeline.runJob(WORKER_JOBS.tasks.generate, { day }, `gen-again-${day}`);
    expect(again).toMatchObject({ day, inserted: 0, updated: 0 });
    expect((again as { unchanged: number }).unchanged).toBe((again as { tasks: number }).tasks);
    const second = await tasks().find(ours).sort({ _id: 1 }).toArray();
    expect(second).toEqual(first);
    expect(first.every((t) => t.status === 'pending' && t.rev === 1)).toBe(true);
  });

  it('computes coverage from records that went through MQTT and ingest: full, half, operation off', async () => {
    await publish(drive(line, 0, 600, { deviceId: dev('veh-full'), t0 }), 'gps');
    await publish(drive(line, 0, 300, { deviceId: dev('veh-half'), t0 }), 'gps');
    await publish(
      drive(line, 0, 600, { deviceId: dev('veh-off'), t0, extra: { ops: { sweep: false } } }),
      'gps',
    );
    await waitUntil(
      'stored records',
      async () => (await stored(dev('veh-off'))) >= 61 && (await stored(dev('veh-half'))) >= 31,
    );

    const full = await metricsOf(taskId('sh-full', day, 'route'), (m) => m.coverage >= 0.98, 'full');
    expect(full.task.status).toBe('completed');
    const half = await metricsOf(taskId('sh-half', day, 'route'), (m) => m.coverage > 0.3, 'half');
    expect(half.m.coverage).toBeGreaterThanOrEqual(0.45);
    expect(half.m.coverage).toBeLessThanOrEqual(0.55);
    expect(half.task.status).toBe('in_progress');
    const off = await metricsOf(taskId('sh-off', day, 'route'), (m) => m.coverage !== undefined, 'off');
    expect(off.m.coverage).toBe(0);
    // The vehicle drove (and reported) but with the broom up: online, route not done.
    const online = await metricsOf(
      taskId('sh-off', day, 'online'),
      (m) => m.reported === 1 || (m.reported as unknown) === true,
      'off-online',
    );
    expect(online.task.status).toBe('in_progress');
  });

  it('lets a late batch correct coverage', async () => {
    // The second half of the half-route vehicle's work, uploaded now with its original (old) times.
    await publish(drive(line, 300, 600, { deviceId: dev('veh-half'), t0: t0 + 31 * 5000 }), 'gps');
    const fixed = await metricsOf(taskId('sh-half', day, 'route'), (m) => m.coverage >= 0.98, 'late');
    expect(fixed.task.status).toBe('completed');
    expect(fixed.task.rev).toBeGreaterThan(2);
  });

  it('raises exactly one off-post alarm for a badge out of its zone longer than the threshold, none for one inside', async () => {
    const insideAt = offset(ORIGIN, 100, 100);
    const outsideAt = offset(ORIGIN, 2000, 100);
    const b0 = now - 50 * MIN;
    await publish(
      [
        ...stay(insideAt, b0, 10 * MIN, 30_000, { deviceId: dev('bdg-leaves'), evt: 'hb' }),
        ...stay(outsideAt, b0 + 10 * MIN, 25 * MIN, 30_000, { deviceId: dev('bdg-leaves'), evt: 'hb' }),
      ],
      'badge',
    );
    await publish(stay(insideAt, b0, 35 * MIN, 30_000, { deviceId: dev('bdg-stays'), evt: 'hb' }), 'badge');
    // More of the same episode in a later message: still the one alarm.
    await publish(
      stay(outsideAt, b0 + 35 * MIN, 5 * MIN, 30_000, { deviceId: dev('bdg-leaves'), evt: 'hb' }),
      'badge',
    );
    await waitUntil(
      'badge records',
      async () => (await stored(dev('bdg-leaves'))) >= 80 && (await stored(dev('bdg-stays'))) >= 70,
    );
    const alarm = await waitUntil('off-post alarm', () => alarms().findOne({ type: 'off_post' }));
    // Let every batch of both badges be evaluated before counting.
    await metricsOf(taskId('sh-team', day, 'post', 'w-stays'), (m) => m.onPostMin >= 30, 'post');
    await metricsOf(
      taskId('sh-team', day, 'post', 'w-leaves'),
      (m) => m.offPostEpisodes === 1,
      'post-leaves',
    );
    expect(await alarms().countDocuments({ type: 'off_post' })).toBe(1);
    expect(alarm).toMatchObject({
      status: 'open',
      active: true,
      deviceId: dev('bdg-leaves'),
      subjectKind: 'worker',
      subjectId: 'w-leaves',
      taskId: taskId('sh-team', day, 'post', 'w-leaves'),
      contractId: 'ct-1',
      operatorId: 'op-1',
      agencyId: 'ag-1',
    });
    // No zone alarm for the badge that stayed inside. (Other rules may rightly fire for it: the minute sweep
    // raises device_offline for a badge on duty that was silent for 10 minutes before its records arrived.)
    expect(
      await alarms().countDocuments({ deviceId: dev('bdg-stays'), type: { $in: ['off_post', 'zone_exit'] } }),
    ).toBe(0);
    // Back inside clears the condition; the alarm stays open for a person to close.
    await publish(
      stay(insideAt, b0 + 40 * MIN, 2 * MIN, 30_000, { deviceId: dev('bdg-leaves'), evt: 'hb' }),
      'badge',
    );
    const cleared = await waitUntil('off-post cleared', async () => {
      const a = await alarms().findOne({ _id: alarm._id });
      return a && !a.active ? a : null;
    });
    expect(cleared.status).toBe('open');
    expect(cleared.clearedAt).toBeTruthy();
    expect(await alarms().countDocuments({ type: 'off_post' })).toBe(1);
  });

  it('ends a route nobody drove as missed, raises one route_missed alarm, and announces each change with a new rev', async () => {
    const id = taskId('sh-early', earlyDay, 'route');
    await pipeline.runJob(WORKER_JOBS.tasks.generate, { day: earlyDay }, `gen-early-${earlyDay}`);
    const missed = await metricsOf(id, (m) => m.coverage === 0, 'early');
    expect(missed.task).toMatchObject({ status: 'missed', final: true, rev: 2 });
    await pipeline.runJob(WORKER_JOBS.tasks.lifecycle, { asOf: Date.now() }, 'lc-early-again');
    expect((await tasks().findOne({ _id: id }))?.rev).toBe(2);
    const routeAlarms = await alarms().find({ type: 'route_missed' }).toArray();
    expect(routeAlarms).toHaveLength(1);
    expect(routeAlarms[0]).toMatchObject({ taskId: id, subjectKind: 'task', subjectId: id, status: 'open' });

    const events = new Queue(QUEUES.domainEvents, {
      connection: pipeline.connection,
      prefix: `${prefix}:bull`,
    });
    try {
      const created = await events.getJob(domainEventJobId('task-changed', id, 1));
      const ended = await events.getJob(domainEventJobId('task-changed', id, 2));
      expect(created?.data).toMatchObject({
        taskId: id,
        rev: 1,
        status: 'pending',
        serviceLine: 'sanitation',
        type: 'route',
      });
      expect(ended?.data).toMatchObject({ rev: 2, status: 'missed', final: true, metrics: { coverage: 0 } });
      const full = taskId('sh-full', day, 'route');
      const fullDone = await tasks().findOne({ _id: full });
      const last = await events.getJob(domainEventJobId('task-changed', full, fullDone!.rev));
      expect(last?.data).toMatchObject({ status: 'completed', contractId: 'ct-1', tenantId: 'op-1', day });
      expect((last?.data as { metrics: { coverage: number } }).metrics.coverage).toBeGreaterThanOrEqual(0.98);
      const alarmEvent = await events.getJob(domainEventJobId('alarm-changed', routeAlarms[0]._id, 1));
      expect(alarmEvent?.data).toMatchObject({ type: 'route_missed', status: 'open', taskId: id });
    } finally {
      await events.close();
    }
  });
});
