/* eslint-disable @typescript-eslint/no-explicit-any -- API response bodies, checked field by field */
import { COLLECTIONS } from '@dwg/persistence';
import { PipelineUnderTest, publishPoints, uniqueName, waitUntil } from '@dwg/testing';
import { drive, offset, ORIGIN, square, stay, straightRoute } from '../../worker/src/evidence/test-geometry';
import type { EvidencePoint } from '../../worker/src/evidence';
import { WORKER_JOBS, WORKER_QUEUES } from '../../worker/src/jobs/queues';
import { serviceDay } from '../../worker/src/tasks/service-day';
import { ApiHarness } from './harness';

const MIN = 60_000;

/**
 * The KPIs over the whole chain, nothing scripted: the operations model is created through the api (devices get
 * real credentials, which the api writes into the test broker's password file), devices publish protocol v1 over
 * MQTT with those credentials, the real ingest stores the records, the worker generates the day's tasks from the
 * shifts, folds the records into evidence, moves the tasks through their lifecycle and publishes TaskChanged, its
 * KPI subscriber rolls them up, and the api answers GET /api/kpis. The shift lies in the past (it ended 40 minutes
 * ago), so the lifecycle finalises every task as soon as it runs; the records carry their own times in the shift.
 *
 * The day, computed by hand:
 * - 10 workers of one team on a 60-minute post shift in the zone; 8 clock in inside the zone at the start and
 *   report every 2 minutes until the end (each 2-minute slot stands until the next: 60 min on post each), 2 never
 *   report. Post tasks 10, attended 8, reported 8; on post 8 × 60 of 10 × 60 minutes.
 * - 4 vehicles scheduled on a 600 m route (one pass, sweep required; cells of 20 m, fixes count within 15 m):
 *   `full` sweeps 0–600 m (30 cells, 600 m), `half` sweeps 0–280 m (its last fix reaches the cell 280–300 but not
 *   300–320: 15 cells, 300 m), `off` drives the whole route with the broom up (0 m), `silent` never reports.
 *   Route tasks 4, 2,400 m required, 900 m covered; online tasks 4, reported 3.
 * - Completed: 8 post (on time, never off post) + 3 online (reported) + 1 route (`full`) = 12 of 18 final tasks.
 * - The three routes not covered raise one route_missed alarm each, and each alarm opens a work order.
 */
describe('KPIs over the whole chain: api model → MQTT → ingest → worker tasks and evidence → rollups → api', () => {
  const h = new ApiHarness();
  const prefix = uniqueName('kch');
  let pipeline: PipelineUnderTest;
  let contractId: string;
  const secrets = new Map<string, string>();

  const now = Date.now();
  const windowStart = Math.floor((now - 100 * MIN) / MIN) * MIN;
  const windowEnd = windowStart + 60 * MIN;
  const day = serviceDay(windowStart);
  const hhmm = (ts: number) => new Date(ts + 8 * 3_600_000).toISOString().slice(11, 16);
  const line = straightRoute(600);
  const zone = square(offset(ORIGIN, -200, -200), 1000);
  const onPost = offset(ORIGIN, 100, 100);
  const VEHICLES = ['full', 'half', 'off', 'silent'] as const;
  const WORKERS = Array.from({ length: 10 }, (_, i) => String(i + 1).padStart(2, '0'));
  const PRESENT = WORKERS.slice(0, 8);
  const gpsId = (k: string) => `gps-kch-${k}`;
  const badgeId = (w: string) => `bdg-kch-${w}`;

  const publish = (deviceId: string, kind: 'gps' | 'badge', points: EvidencePoint[]) =>
    publishPoints({ deviceId, secret: secrets.get(deviceId)! }, kind, points);

  beforeAll(async () => {
    await h.setup('kpichain', { REDIS_PREFIX: prefix });
    const op = await h.create('operators', { code: 'op-kch', name: 'Operator kch' });
    const ag = await h.create('agencies', { code: 'ag-kch', name: 'Agency kch', level: 'street' });
    const ct = await h.create('contracts', {
      code: 'CT-kch',
      name: 'contract kch',
      agencyId: ag.id,
      operatorId: op.id,
      serviceLines: ['sanitation', 'greening', 'patrol', 'waste_sorting'],
      startDate: '2025-01-01',
      endDate: '2035-12-31',
      kpiTargets: {},
      deductionRules: [],
    });
    contractId = ct.id;
    const z = await h.create('zones', {
      contractId,
      name: 'grid kch',
      level: 'grid',
      geometry: { type: 'Polygon', coordinates: zone },
    });
    const route = await h.create('routes', {
      contractId,
      name: 'road kch',
      serviceLine: 'sanitation',
      zoneId: z.id,
      passesPerDay: 1,
      requiredOperation: 'sweep',
      geometry: { type: 'LineString', coordinates: line },
    });
    const team = await h.create('teams', { contractId, name: 'sweepers kch', serviceLine: 'sanitation' });
    const shift = { contractId, days: [1, 2, 3, 4, 5, 6, 7], start: hhmm(windowStart), end: hhmm(windowEnd) };
    for (const [i, k] of VEHICLES.entries()) {
      const v = await h.create('vehicles', { contractId, plate: `粤A·K${1000 + i}`, type: 'sweeper' });
      const d = await h.create('devices', { id: gpsId(k), kind: 'gps', contractId, vehicleId: v.id });
      secrets.set(gpsId(k), d.secret);
      await h.create('shifts', {
        ...shift,
        name: `route ${k}`,
        assigneeType: 'vehicle',
        assigneeId: v.id,
        targetType: 'route',
        targetId: route.id,
        validFrom: '2025-01-01',
      });
    }
    for (const w of WORKERS) {
      const wk = await h.create('workers', {
        contractId,
        employeeNo: `KCH-${w}`,
        name: `worker ${w}`,
        role: 'sweeper',
        teamId: team.id,
      });
      const d = await h.create('devices', { id: badgeId(w), kind: 'badge', contractId, workerId: wk.id });
      secrets.set(badgeId(w), d.secret);
    }
    await h.create('shifts', {
      ...shift,
      name: 'post',
      assigneeType: 'team',
      assigneeId: team.id,
      targetType: 'zone',
      targetId: z.id,
      validFrom: '2025-01-01',
      graceMinutes: 10,
    });

    pipeline = await PipelineUnderTest.start({ mongoUrl: h.db.url, prefix, tasksQueue: WORKER_QUEUES.tasks });
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
    await h.teardown();
  });

  it("returns the day's KPIs as computed by hand from what the devices did", async () => {
    // The shift's day may be yesterday (shortly after midnight), which start-up generation does not cover.
    await pipeline.runJob(WORKER_JOBS.tasks.generate, { day }, `gen-${day}`);
    const tasks = h.db.db.collection(COLLECTIONS.tasks);
    await waitUntil('the tasks of the shifts', async () => (await tasks.countDocuments({ day })) === 18);

    const t0 = windowStart + 5 * MIN;
    const sweep = { ops: { sweep: true } };
    await publish(gpsId('full'), 'gps', drive(line, 0, 600, { t0, extra: sweep }));
    await publish(gpsId('half'), 'gps', drive(line, 0, 280, { t0, extra: sweep }));
    await publish(gpsId('off'), 'gps', drive(line, 0, 600, { t0, extra: { ops: { sweep: false } } }));
    for (const w of PRESENT) {
      const points = stay(onPost, windowStart, 60 * MIN, 2 * MIN);
      points[0].evt = 'in';
      await publish(badgeId(w), 'badge', points);
    }
    const telemetry = h.db.db.collection(COLLECTIONS.telemetry);
    await waitUntil(
      'every record stored by ingest',
      async () => (await telemetry.countDocuments({})) === 61 + 29 + 61 + 8 * 30,
      60_000,
    );

    const admin = await h.admin();
    const expected = {
      postShifts: 10,
      postAttended: 8,
      postShiftMin: 600,
      postOnPostMin: 480,
      vehicleShifts: 4,
      vehicleOnline: 3,
      routeRequiredM: 2400,
      routeCoveredM: 900,
      tasksDue: 18,
      tasksCompleted: 12,
      tasksOnTime: 12,
      mgmtSubjects: 14,
      mgmtReported: 11,
    };
    const get = async (path: string) => (await h.as(admin, 'GET', path, undefined, 200)).body;
    let i = 0;
    // The lifecycle runs every minute by itself; running it here as of now only saves the wait.
    const kpis = await waitUntil(
      'the rollups to hold the day',
      async () => {
        await pipeline.runJob(WORKER_JOBS.tasks.lifecycle, { asOf: Date.now() }, `lc-${i++}`);
        const body = await get(`/api/kpis?contractId=${contractId}&from=${day}&to=${day}&granularity=total`);
        const got = Object.fromEntries(Object.keys(expected).map((k) => [k, body.total.counters[k] ?? 0]));
        if (JSON.stringify(got) !== JSON.stringify(expected))
          throw new Error(`counters so far ${JSON.stringify(got)}`);
        return body;
      },
      180_000,
    );

    const r = kpis.total.rates;
    expect(r.attendanceRate).toBe(0.8); // 8 / 10
    expect(r.onPostRate).toBe(0.8); // 8 × 60 / (10 × 60) min
    expect(r.vehicleOnlineRate).toBe(0.75); // 3 / 4
    expect(r.routeCoverageRate).toBe(0.375); // (600 + 300 + 0 + 0) / (4 × 600) m
    expect(r.taskCompletionRate).toBe(0.6667); // 12 / 18
    expect(r.taskOnTimeRate).toBe(0.6667); // 12 / 18
    expect(r.managementCoverageRate).toBe(0.7857); // (8 + 3) / (10 + 4)
    expect(await tasks.countDocuments({ day, final: true })).toBe(18);

    // The three route tasks that ended without their coverage (half, off, silent) raised route_missed, and each
    // of those alarms opened a work order. Alarms count on the day the window ended, work orders on the day they
    // were reported (today): read from the shift's day to today.
    const today = serviceDay(Date.now());
    const since = await waitUntil(
      'route_missed alarms and their work orders in the rollups',
      async () => {
        const body = await get(
          `/api/kpis?contractId=${contractId}&from=${day}&to=${today}&granularity=total`,
        );
        const c = body.total.counters;
        if (c.alarm_route_missed !== 3 || c.woReceived !== 3)
          throw new Error(`route_missed ${c.alarm_route_missed}, work orders ${c.woReceived}`);
        return body;
      },
      60_000,
    );
    expect(since.total.rates.alarmsByType.route_missed).toBe(3);
    expect(since.total.rates.woReceived).toBe(3);
    expect(since.total.rates.attendanceRate).toBe(0.8);

    // Per zone: every task of the day is in the one zone (the route lies in it).
    const zones = await get(
      `/api/kpis/ranking?contractId=${contractId}&from=${day}&to=${day}&metric=attendanceRate`,
    );
    expect(zones.ranking.map((z: any) => z.value)).toEqual([0.8]);
  });
});
