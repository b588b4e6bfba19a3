/* eslint-disable @typescript-eslint/no-explicit-any -- API response bodies checked field by field */
import ExcelJS from 'exceljs';
import { Queue } from 'bullmq';
import { execFileSync } from 'node:child_process';
import {
  domainEventJobId,
  QUEUES,
  type AlarmChanged,
  type DomainEventName,
  type ServiceLine,
  type TaskChanged,
  type WorkOrderChanged,
} from '@dwg/contracts';
import { COLLECTIONS, kpiRollupsOf } from '@dwg/persistence';
import { startService, testUrls, uniqueName, waitUntil, type RunningService } from '@dwg/testing';
import { contentHash, frozenContent } from '../src/assessments/assessment.rules';
import { ApiHarness, buildTenant, type TenantWorld } from './harness';

/**
 * Text and page count of a PDF, parsed with pdf-parse (pdf.js) in a plain node process: pdf.js loads its worker
 * with a dynamic import, which jest's module loader refuses.
 */
function pdfText(pdf: Buffer): { total: number; text: string } {
  const script = `const { PDFParse } = require('pdf-parse');
    const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
      const p = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      const t = await p.getText(); await p.destroy();
      process.stdout.write(JSON.stringify({ total: t.total, text: t.text }));
    });`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { input: pdf, cwd: __dirname, encoding: 'utf8' }),
  );
}

/**
 * KPIs end to end: the built worker consumes task, alarm and work-order changes from the domain-events queue (as
 * the task, alarm and work-order services publish them) into rollups; the built api answers KPI, ranking, as-of,
 * CSV and assessment requests from them. Every figure below is computed by hand from the scripted month.
 */
describe('KPIs and monthly assessment', () => {
  const h = new ApiHarness();
  let worker: RunningService;
  let queue: Queue;
  let A: TenantWorld;
  let B: TenantWorld;
  let Z1: string;
  let Z2: string;
  const prefix = uniqueName('kpi');
  const MONTH = '2026-10';

  beforeAll(async () => {
    await h.setup('kpis');
    // The scripted month is a fixed past month: keep its days open whenever the test runs.
    worker = await startService('worker', {
      MONGO_URL: h.db.url,
      REDIS_PREFIX: prefix,
      WORKER_KPI_OPEN_DAYS: '0',
    });
    queue = new Queue(QUEUES.domainEvents, {
      connection: { url: testUrls().REDIS_URL },
      prefix: `${prefix}:bull`,
    } as never);
    A = await buildTenant(h, 'ka', 1);
    B = await buildTenant(h, 'kb', 2);
    Z1 = A.ids.zones;
    const z2 = await h.create('zones', {
      contractId: A.contractId,
      name: 'grid ka-2',
      level: 'grid',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [113.3, 23.2],
            [113.31, 23.2],
            [113.31, 23.21],
            [113.3, 23.2],
          ],
        ],
      },
    });
    Z2 = z2.id;
    // August as a database kept it before the rollups were split by month: part of a key-day in the former
    // single collection, the rest in the month's collection (written after the split). Before any query.
    const aug = {
      tenantId: 'op',
      contractId: A.contractId,
      zoneId: Z1,
      serviceLine: 'sanitation',
      day: '2026-08-10',
    };
    const augId = `${A.contractId}|${Z1}|sanitation|2026-08-10`;
    await h.db.db.collection(COLLECTIONS.kpiRollups).insertOne({
      _id: augId as never,
      ...aug,
      c: { postShifts: 2, postAttended: 1 },
      updatedAt: new Date(),
    });
    await h.db.db.collection(kpiRollupsOf('2026-08-10')).insertOne({
      _id: augId as never,
      ...aug,
      c: { postShifts: 1, postAttended: 1 },
      updatedAt: new Date(),
    });
  }, 120_000);

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await worker?.stop();
    await h.teardown();
  });

  const key = (zoneId: string, serviceLine: ServiceLine, day: string, contractId = A.contractId) => ({
    tenantId: 'op',
    contractId,
    zoneId,
    serviceLine,
    day,
  });

  function task(
    id: string,
    type: TaskChanged['type'],
    status: TaskChanged['status'],
    metrics: TaskChanged['metrics'],
    opts: {
      zone?: string;
      line?: ServiceLine;
      day?: string;
      rev?: number;
      onTime?: boolean;
      devices?: string[];
    } = {},
  ): TaskChanged {
    const day = opts.day ?? `${MONTH}-05`;
    return {
      ...key(opts.zone ?? Z1, opts.line ?? 'sanitation', day),
      taskId: id,
      rev: opts.rev ?? 3,
      type,
      status,
      final: status !== 'pending' && status !== 'in_progress',
      subjectKind: type === 'online' || type === 'route' ? 'vehicle' : 'worker',
      subjectIds: [`subj-${id}`],
      deviceIds: opts.devices ?? [`dev-${id}`],
      windowStart: `${day}T06:00:00+08:00`,
      windowEnd: `${day}T14:00:00+08:00`,
      onTime: opts.onTime ?? true,
      metrics,
      changedAt: `${day}T14:05:00+08:00`,
    };
  }

  function workOrder(id: string, patch: Partial<WorkOrderChanged>): WorkOrderChanged {
    return {
      ...key(Z1, 'sanitation', `${MONTH}-07`),
      workOrderId: id,
      rev: 1,
      category: 'litter',
      state: 'dispatched',
      source: 'resident',
      reportedAt: `${MONTH}-07T09:00:00+08:00`,
      dispatchedAt: `${MONTH}-07T09:10:00+08:00`,
      closedAt: null,
      dueAt: `${MONTH}-07T13:00:00+08:00`,
      yellowCard: false,
      redCard: false,
      fixed: null,
      onTime: null,
      handlingMs: null,
      reopenedCount: 0,
      rating: null,
      alarmId: null,
      photoIds: [],
      changedAt: `${MONTH}-07T09:10:00+08:00`,
      ...patch,
    };
  }

  function alarm(id: string, type: AlarmChanged['type'], status: AlarmChanged['status']): AlarmChanged {
    return {
      ...key(Z1, 'sanitation', `${MONTH}-05`),
      alarmId: id,
      rev: 1,
      type,
      status,
      deviceId: 'dev-x',
      subjectKind: 'worker',
      subjectId: 'w-x',
      taskId: null,
      at: null,
      openedAt: `${MONTH}-05T08:00:00+08:00`,
      closedAt: null,
      message: type,
      changedAt: `${MONTH}-05T08:00:00+08:00`,
    };
  }

  async function publish(name: DomainEventName, id: string, e: { rev: number }, jobId?: string) {
    await queue.add(name, e, { jobId: jobId ?? domainEventJobId(name, id, e.rev), removeOnComplete: 1000 });
  }

  /** Waits until the queue has nothing waiting or active (every published change applied). */
  async function drained() {
    await waitUntil('domain events applied', async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    });
  }

  const kpis = async (token: string, qs: string, status = 200) =>
    (await h.as(token, 'GET', `/api/kpis?contractId=${A.contractId}&${qs}`, undefined, status)).body;

  /** The scripted month of contract A (zone 1 unless said), every number chosen to be checked by hand. */
  async function scriptMonth() {
    // 10 workers scheduled on 5 Oct, 8 clock in on post (432 of 480 min on post); one of the absent still reported.
    for (let i = 0; i < 10; i++) {
      const attended = i < 8;
      await publish('task-changed', `post-${i}`, {
        ...task(`post-${i}`, 'post', attended ? 'completed' : 'missed', {
          attended,
          shiftMin: 480,
          onPostMin: attended ? 432 : 0,
          reported: attended || i === 8,
        }),
      });
    }
    // 5 vehicles scheduled, 4 reported.
    for (let i = 0; i < 5; i++)
      await publish(
        'task-changed',
        `onl-${i}`,
        task(`onl-${i}`, 'online', i < 4 ? 'completed' : 'missed', { reported: i < 4 }),
      );
    // Routes: 10 km of which 8 covered, and 5 km fully covered but late.
    await publish(
      'task-changed',
      'route-1',
      task('route-1', 'route', 'partial', { routeLengthM: 10_000, coveredLengthM: 8_000 }),
    );
    await publish(
      'task-changed',
      'route-2',
      task(
        'route-2',
        'route',
        'completed',
        { routeLengthM: 5_000, coveredLengthM: 5_000 },
        { onTime: false },
      ),
    );
    // Patrol checkpoints 18 of 20, collection points 9 of 10.
    await publish(
      'task-changed',
      'cp-1',
      task('cp-1', 'sites', 'partial', { sitesRequired: 20, sitesVisited: 18 }, { line: 'patrol' }),
    );
    await publish(
      'task-changed',
      'col-1',
      task('col-1', 'sites', 'partial', { sitesRequired: 10, sitesVisited: 9 }, { line: 'sorting' }),
    );
    // Zone 2, 6 Oct: 4 workers, all on post.
    for (let i = 0; i < 4; i++)
      await publish(
        'task-changed',
        `z2-${i}`,
        task(
          `z2-${i}`,
          'post',
          'completed',
          { attended: true, shiftMin: 480, onPostMin: 480, reported: true },
          { zone: Z2, day: `${MONTH}-06` },
        ),
      );
    // Work orders: one closed on time (60 min, rated 5), one closed late with a red card (180 min, reopened once,
    // rated 2), one still open with a yellow card, one merged duplicate (counts nowhere).
    await publish('work-order-changed', 'wo-1', workOrder('wo-1', { rev: 1 }));
    await publish(
      'work-order-changed',
      'wo-1',
      workOrder('wo-1', {
        rev: 4,
        state: 'closed',
        closedAt: `${MONTH}-07T10:00:00+08:00`,
        fixed: true,
        onTime: true,
        handlingMs: 3_600_000,
        rating: 5,
      }),
    );
    await publish(
      'work-order-changed',
      'wo-2',
      workOrder('wo-2', {
        rev: 6,
        state: 'closed',
        yellowCard: true,
        redCard: true,
        fixed: true,
        onTime: false,
        handlingMs: 3 * 3_600_000,
        reopenedCount: 1,
        rating: 2,
        photoIds: ['ph-1', 'ph-2'],
      }),
    );
    await publish('work-order-changed', 'wo-3', workOrder('wo-3', { rev: 2, yellowCard: true }));
    await publish('work-order-changed', 'wo-4', workOrder('wo-4', { rev: 2, state: 'merged' }));
    // Alarms: two off post (one closed), one SOS.
    await publish('alarm-changed', 'al-1', alarm('al-1', 'off_post', 'open'));
    await publish('alarm-changed', 'al-2', { ...alarm('al-2', 'off_post', 'closed'), rev: 3 });
    await publish('alarm-changed', 'al-3', alarm('al-3', 'sos', 'acknowledged'));
    await drained();
  }

  let adminToken: string;
  let reviewerA: string;
  let managerA: string;
  let reviewerB: string;
  let asOfBeforeExtra: string;

  it('computes every KPI of the scripted month from the rollups', async () => {
    await scriptMonth();
    adminToken = await h.admin();
    reviewerA = await h.login(A.users.gov_reviewer.username, A.users.gov_reviewer.password);
    managerA = await h.login(A.users.operator_manager.username, A.users.operator_manager.password);
    reviewerB = await h.login(B.users.gov_reviewer.username, B.users.gov_reviewer.password);

    const z1 = await kpis(reviewerA, `month=${MONTH}&zoneId=${Z1}&granularity=total`);
    const r = z1.total.rates;
    expect(r.attendanceRate).toBe(0.8); // 8 / 10
    expect(r.onPostRate).toBe(0.72); // 8 × 432 / (10 × 480)
    expect(r.vehicleOnlineRate).toBe(0.8); // 4 / 5
    expect(r.routeCoverageRate).toBe(0.8667); // 13 / 15 km
    expect(r.taskCompletionRate).toBe(0.6842); // 13 / 19
    expect(r.taskOnTimeRate).toBe(0.6316); // 12 / 19
    expect(r.checkpointVisitRate).toBe(0.9); // 18 / 20
    expect(r.collectionVisitRate).toBe(0.9); // 9 / 10
    expect(r.managementCoverageRate).toBe(0.8667); // (9 + 4) / (10 + 5)
    expect(r.woReceived).toBe(3);
    expect(r.woClosed).toBe(2);
    expect(r.woClosureRate).toBe(0.6667);
    expect(r.woOnTimeRate).toBe(0.5);
    expect(r.woMeanHandlingMin).toBe(120);
    expect(r.woReopened).toBe(1);
    expect(r.woYellowCards).toBe(2);
    expect(r.woRedCards).toBe(1);
    expect(r.woMeanRating).toBe(3.5);
    expect(r.woSatisfactionRate).toBe(0.5);
    expect(r.alarmsTotal).toBe(3);
    expect(r.alarmsByType).toMatchObject({ off_post: 2, sos: 1, overspeed: 0 });

    // Whole contract: zone 2 adds 4 of 4 attended; per service line and per day the trend splits it.
    const all = await kpis(reviewerA, `from=${MONTH}-01&to=${MONTH}-31&granularity=day`);
    expect(all.total.rates.attendanceRate).toBe(0.8571); // 12 / 14
    expect(all.series.map((s: any) => s.period)).toEqual([`${MONTH}-05`, `${MONTH}-06`, `${MONTH}-07`]);
    expect(all.series[1].rates.attendanceRate).toBe(1);
    const patrol = await kpis(reviewerA, `month=${MONTH}&serviceLine=patrol&granularity=total`);
    expect(patrol.total.rates.checkpointVisitRate).toBe(0.9);
    expect(patrol.total.rates.attendanceRate).toBeNull();
    const weeks = await kpis(managerA, `month=${MONTH}&granularity=week`);
    expect(weeks.series.map((s: any) => s.period)).toEqual([`${MONTH}-05`]); // Mon 5 Oct 2026 .. Sun 11
    const months = await kpis(managerA, `from=2026-09-01&to=2026-10-31&granularity=month`);
    expect(months.series).toHaveLength(1);
    expect(months.series[0].period).toBe(MONTH);

    // The SOS alarm also opened a work order in the same loop (alarm → work order, by the worker): it counts as
    // received on the day it was reported, today, and not in the scripted month.
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const born = await waitUntil('the SOS alarm to open a work order', async () => {
      const k = await kpis(managerA, `from=${today}&to=${today}&granularity=total`);
      return k.total.counters.woReceived === 1 ? k : null;
    });
    expect(born.total.counters.woReceived).toBe(1);

    const ranking = (
      await h.as(
        reviewerA,
        'GET',
        `/api/kpis/ranking?contractId=${A.contractId}&month=${MONTH}&metric=attendanceRate`,
        undefined,
        200,
      )
    ).body;
    expect(ranking.ranking.map((z: any) => [z.rank, z.zoneId, z.value])).toEqual([
      [1, Z2, 1],
      [2, Z1, 0.8],
    ]);
  });

  it('ignores replays and out-of-order revisions, and moves a re-keyed entity', async () => {
    // A replay of post-0 under another job id (a second delivery) and an older rev of post-9: no change.
    await publish(
      'task-changed',
      'post-0',
      task('post-0', 'post', 'completed', { attended: true, shiftMin: 480, onPostMin: 432, reported: true }),
      'replay-post-0',
    );
    await publish(
      'task-changed',
      'post-9',
      task(
        'post-9',
        'post',
        'completed',
        { attended: true, shiftMin: 480, onPostMin: 480, reported: true },
        { rev: 2 },
      ),
    );
    await drained();
    let z1 = await kpis(reviewerA, `month=${MONTH}&zoneId=${Z1}&granularity=total`);
    expect(z1.total.counters.postShifts).toBe(10);
    expect(z1.total.rates.attendanceRate).toBe(0.8);
    // wo-3 is re-assigned to zone 2: it leaves zone 1's counters and appears in zone 2's.
    await publish('work-order-changed', 'wo-3', workOrder('wo-3', { rev: 3, yellowCard: true, zoneId: Z2 }));
    await drained();
    z1 = await kpis(reviewerA, `month=${MONTH}&zoneId=${Z1}&granularity=total`);
    expect(z1.total.rates.woReceived).toBe(2);
    const z2 = await kpis(reviewerA, `month=${MONTH}&zoneId=${Z2}&granularity=total`);
    expect(z2.total.rates.woReceived).toBe(1);
    expect(z2.total.rates.woYellowCards).toBe(1);
    asOfBeforeExtra = new Date().toISOString();
  });

  it('shows the KPIs as they stood at a past moment', async () => {
    await new Promise((r) => setTimeout(r, 20));
    // Two more work orders arrive after the moment.
    await publish('work-order-changed', 'wo-5', workOrder('wo-5', { rev: 1 }));
    await publish('work-order-changed', 'wo-6', workOrder('wo-6', { rev: 1, day: `${MONTH}-08` }));
    await drained();
    const now = await kpis(reviewerA, `month=${MONTH}&granularity=total`);
    expect(now.total.rates.woReceived).toBe(5);
    const then = (
      await h.as(
        reviewerA,
        'GET',
        `/api/kpis/as-of?contractId=${A.contractId}&month=${MONTH}&at=${encodeURIComponent(asOfBeforeExtra)}&granularity=total`,
        undefined,
        200,
      )
    ).body;
    expect([then.from, then.to]).toEqual([`${MONTH}-01`, `${MONTH}-31`]);
    expect(then.total.rates.woReceived).toBe(3);
    expect(then.total.rates.attendanceRate).toBe(0.8571);
    const early = (
      await h.as(
        reviewerA,
        'GET',
        `/api/kpis/as-of?contractId=${A.contractId}&at=2026-10-01T00:00:00Z&granularity=total`,
        undefined,
        200,
      )
    ).body;
    expect(early.total.counters).toEqual({});
  });

  it('exports a KPI table as CSV', async () => {
    const res = await h.request(
      'GET',
      `/api/kpis/export.csv?contractId=${A.contractId}&month=${MONTH}&granularity=day`,
      { token: reviewerA },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = String(res.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const head = lines[0].split(',');
    const total = lines.at(-1)!.split(',');
    expect(head.slice(0, 3)).toEqual(['period', 'from', 'to']);
    expect(total[0]).toBe('total');
    expect(total[head.indexOf('attendanceRate')]).toBe('0.8571');
    expect(lines).toHaveLength(1 + 4 + 1); // header, 4 days, total
    const rk = await h.request(
      'GET',
      `/api/kpis/export.csv?contractId=${A.contractId}&month=${MONTH}&table=ranking`,
      { token: reviewerA },
    );
    expect(String(rk.body).split('\r\n')[1].split(',').slice(0, 2)).toEqual(['1', Z2]);
  });

  it('exports the KPI tables as XLSX that parses back', async () => {
    const x = await fetch(
      `${h.api.url}/api/kpis/export.xlsx?contractId=${A.contractId}&month=${MONTH}&granularity=total`,
      {
        headers: { authorization: `Bearer ${reviewerA}` },
      },
    );
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['趋势', '网格排名']);
    const trend = wb.getWorksheet('趋势')!;
    const head = (trend.getRow(1).values as unknown[]).map(String);
    const total = trend.getRow(trend.rowCount).values as unknown[];
    expect(total[head.indexOf('周期')]).toBe('合计');
    expect(total[head.indexOf('出勤率')]).toBe(0.8571);
    const rank = wb.getWorksheet('网格排名')!;
    expect(rank.getRow(2).getCell(2).value).toBe('grid ka-2');
  });

  let assessmentId: string;

  it('scores the scripted month: 100 minus the rules’ deductions, each linked to its evidence', async () => {
    const a = (
      await h.as(managerA, 'POST', '/api/assessments', { contractId: A.contractId, month: MONTH }, 201)
    ).body;
    assessmentId = a.id;
    const byRule = Object.fromEntries(a.subtotals.map((s: any) => [s.ruleId, [s.count, s.points]]));
    expect(byRule).toEqual({
      route_uncovered: [1, 1], // 2 km × 0.5
      absent_worker_shift: [2, 0.4], // 2 × 0.2
      vehicle_offline_shift: [1, 0.2],
      red_card_work_order: [1, 1],
      missed_collection: [1, 0.2],
      missed_checkpoint: [1, 0.2], // 2 checkpoints × 0.1
    });
    expect(a.totalDeduction).toBe(3);
    expect(a.score).toBe(97);
    const route = a.deductions.find((d: any) => d.ruleId === 'route_uncovered');
    expect(route.entityId).toBe('route-1');
    expect(route.quantity).toBe(2);
    expect(route.evidence.map((e: any) => e.kind)).toEqual(['task', 'track']);
    expect(route.evidence[1].href).toContain('/api/tracks/dev-route-1?from=');
    const absent = a.deductions.find((d: any) => d.ruleId === 'absent_worker_shift');
    expect(absent.evidence.map((e: any) => e.kind)).toEqual(['task', 'badge']);
    const red = a.deductions.find((d: any) => d.ruleId === 'red_card_work_order');
    expect(red.evidence.map((e: any) => e.href)).toEqual([
      '/api/work-orders/wo-2',
      '/api/work-orders/wo-2/photos/ph-1',
      '/api/work-orders/wo-2/photos/ph-2',
    ]);
    await h.as(managerA, 'POST', '/api/assessments', { contractId: A.contractId, month: MONTH }, 409);
    // A contract's own rules change the points: 0.5 per absent worker-shift.
    await h.as(managerA, 'PUT', `/api/contracts/${A.contractId}/assessment-rules`, { rules: [] }, 403);
    await h.as(
      adminToken,
      'PUT',
      `/api/contracts/${A.contractId}/assessment-rules`,
      { rules: [{ id: 'nope' }] },
      400,
    );
    await h.as(
      adminToken,
      'PUT',
      `/api/contracts/${A.contractId}/assessment-rules`,
      { rules: [{ id: 'absent_worker_shift', points: 0.5 }] },
      200,
    );
    const re = (await h.as(managerA, 'POST', `/api/assessments/${a.id}/actions/recompute`, undefined, 200))
      .body;
    expect(re.totalDeduction).toBe(3.6);
    expect(re.score).toBe(96.4);
  });

  it('runs the appeal flow: the operator appeals, the reviewer accepts or rejects, then approves', async () => {
    const a = (await h.as(reviewerA, 'GET', `/api/assessments/${assessmentId}`, undefined, 200)).body;
    const route = a.deductions.find((d: any) => d.ruleId === 'route_uncovered');
    const absent = a.deductions.filter((d: any) => d.ruleId === 'absent_worker_shift')[0];
    const enc = encodeURIComponent;
    // Reviewers cannot appeal, operators cannot decide; an appeal needs a comment.
    await h.as(
      reviewerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(route.id)}/appeal`,
      { comment: 'x' },
      403,
    );
    await h.as(managerA, 'POST', `/api/assessments/${a.id}/deductions/${enc(route.id)}/appeal`, {}, 400);
    await h.as(
      reviewerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(route.id)}/review`,
      { decision: 'accept' },
      409,
    );
    await h.as(
      managerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(route.id)}/appeal`,
      { comment: '道路封闭施工，无法作业' },
      200,
    );
    await h.as(
      managerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(absent.id)}/appeal`,
      { comment: '病假已报备' },
      200,
    );
    await h.as(
      managerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(absent.id)}/appeal`,
      { comment: 'again' },
      409,
    );
    const blocked = await h.as(reviewerA, 'POST', `/api/assessments/${a.id}/actions/approve`, undefined, 409);
    expect(JSON.stringify(blocked.body.message)).toContain('pending');
    await h.as(
      managerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(route.id)}/review`,
      { decision: 'accept' },
      403,
    );
    await h.as(
      reviewerA,
      'POST',
      `/api/assessments/${a.id}/deductions/${enc(route.id)}/review`,
      { decision: 'maybe' },
      400,
    );
    const acc = (
      await h.as(
        reviewerA,
        'POST',
        `/api/assessments/${a.id}/deductions/${enc(route.id)}/review`,
        { decision: 'accept', comment: '情况属实' },
        200,
      )
    ).body;
    expect(acc.score).toBe(97.4); // the 1-point route deduction waived
    const rej = (
      await h.as(
        reviewerA,
        'POST',
        `/api/assessments/${a.id}/deductions/${enc(absent.id)}/review`,
        { decision: 'reject' },
        200,
      )
    ).body;
    expect(rej.score).toBe(97.4);
    expect(rej.deductions.find((d: any) => d.id === absent.id).appeal.status).toBe('rejected');
    // A recompute keeps the decided appeals.
    const re = (await h.as(managerA, 'POST', `/api/assessments/${a.id}/actions/recompute`, undefined, 200))
      .body;
    expect(re.score).toBe(97.4);
    const approved = (
      await h.as(reviewerA, 'POST', `/api/assessments/${a.id}/actions/approve`, undefined, 200)
    ).body;
    expect(approved.status).toBe('approved');
    expect(approved.allowedActions).toEqual([]);
    expect(approved.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(frozenContent({ ...approved, _id: approved.id }))).toBe(approved.contentHash);
    const audit = (
      await h.as(
        reviewerA,
        'GET',
        `/api/audit-log?filter=${enc(JSON.stringify({ resource: 'assessments', resourceId: a.id, action: 'approve' }))}`,
        undefined,
        200,
      )
    ).body;
    expect(audit).toHaveLength(1);
    expect(audit[0].after.contentHash).toBe(approved.contentHash);
    const verify = await h.as(adminToken, 'GET', '/api/audit-log/verify', undefined, 200);
    expect(verify.body.ok).toBe(true);
  });

  it('keeps a frozen assessment unchanged after new data arrives', async () => {
    const before = (await h.as(reviewerA, 'GET', `/api/assessments/${assessmentId}`, undefined, 200)).body;
    // Three more absent workers and another red card in October.
    for (let i = 0; i < 3; i++)
      await publish(
        'task-changed',
        `late-${i}`,
        task(
          `late-${i}`,
          'post',
          'missed',
          { attended: false, shiftMin: 480, onPostMin: 0 },
          { day: `${MONTH}-20` },
        ),
      );
    await publish(
      'work-order-changed',
      'wo-3',
      workOrder('wo-3', { rev: 9, yellowCard: true, redCard: true }),
    );
    await drained();
    const k = await kpis(reviewerA, `month=${MONTH}&granularity=total`);
    expect(k.total.counters.postShifts).toBe(17);
    const after = (await h.as(reviewerA, 'GET', `/api/assessments/${assessmentId}`, undefined, 200)).body;
    expect(after).toEqual(before);
    const refused = await h.as(
      managerA,
      'POST',
      `/api/assessments/${assessmentId}/actions/recompute`,
      undefined,
      409,
    );
    expect(JSON.stringify(refused.body.message)).toContain('allowed actions: none');
    await h.as(
      managerA,
      'POST',
      `/api/assessments/${assessmentId}/deductions/x/appeal`,
      { comment: 'late' },
      409,
    );
  });

  it('exports the assessment as XLSX and as a Chinese PDF that parse back', async () => {
    const a = (await h.as(reviewerA, 'GET', `/api/assessments/${assessmentId}`, undefined, 200)).body;
    const x = await fetch(`${h.api.url}/api/assessments/${assessmentId}/export.xlsx`, {
      headers: { authorization: `Bearer ${reviewerA}` },
    });
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['考核汇总', '扣分明细', 'KPI指标']);
    const summary = wb.getWorksheet('考核汇总')!;
    const rows = new Map<string, unknown>();
    summary.eachRow((r) => rows.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(rows.get('总分')).toBe(97.4);
    expect(rows.get('扣分合计')).toBe(2.6);
    expect(rows.get('内容哈希 (SHA-256)')).toBe(a.contentHash);
    expect(wb.getWorksheet('扣分明细')!.rowCount).toBe(1 + a.deductions.length);
    const kpiSheet = wb.getWorksheet('KPI指标')!;
    const head = (kpiSheet.getRow(1).values as unknown[]).map(String);
    const allRow = kpiSheet.getRow(kpiSheet.rowCount).values as unknown[];
    expect(allRow[head.indexOf('服务线')]).toBe('合计');
    expect(allRow[head.indexOf('出勤率')]).toBe(0.8571);

    const p = await fetch(`${h.api.url}/api/assessments/${assessmentId}/export.pdf`, {
      headers: { authorization: `Bearer ${reviewerA}` },
    });
    expect(p.status).toBe(200);
    const text = pdfText(Buffer.from(await p.arrayBuffer()));
    expect(text.total).toBe(3);
    expect(text.text).toContain('合同月度考核报告');
    expect(text.text).toContain('总分：97.4');
    expect(text.text).toContain('扣分合计 2.6，总分 97.4');
    expect(text.text).toContain('人员缺勤');
  });

  it('scopes every KPI, assessment and export endpoint to the reviewer’s agency', async () => {
    const c = A.contractId;
    const at = encodeURIComponent(new Date().toISOString());
    const paths = [
      `/api/kpis?contractId=${c}&month=${MONTH}`,
      `/api/kpis/ranking?contractId=${c}&month=${MONTH}`,
      `/api/kpis/as-of?contractId=${c}&at=${at}`,
      `/api/kpis/export.csv?contractId=${c}&month=${MONTH}`,
      `/api/kpis/export.xlsx?contractId=${c}&month=${MONTH}`,
      `/api/assessments/${assessmentId}`,
      `/api/assessments/${assessmentId}/export.xlsx`,
      `/api/assessments/${assessmentId}/export.pdf`,
      `/api/contracts/${c}/assessment-rules`,
    ];
    const managerB = await h.login(B.users.operator_manager.username, B.users.operator_manager.password);
    for (const path of paths) {
      expect([path, (await h.request('GET', path, { token: reviewerA })).status]).toEqual([path, 200]);
      expect([path, (await h.request('GET', path, { token: reviewerB })).status]).toEqual([path, 404]);
      expect([path, (await h.request('GET', path, { token: managerB })).status]).toEqual([path, 404]);
      expect([path, (await h.request('GET', path)).status]).toEqual([path, 401]);
    }
    const listB = await h.as(reviewerB, 'GET', '/api/assessments', undefined, 200);
    expect(listB.body).toEqual([]);
    const listA = await h.as(reviewerA, 'GET', '/api/assessments', undefined, 200);
    expect(listA.body.map((x: any) => x.id)).toEqual([assessmentId]);
    await h.as(reviewerB, 'POST', '/api/assessments', { contractId: c, month: '2026-09' }, 404);
    await h.as(reviewerB, 'POST', `/api/assessments/${assessmentId}/actions/approve`, undefined, 404);
    // Field workers read KPIs but write no assessment.
    const fw = await h.login(A.users.field_worker.username, A.users.field_worker.password);
    await h.as(fw, 'POST', '/api/assessments', { contractId: c, month: '2026-09' }, 403);
  });

  it('adds up the rollups kept before the split by month and those written after', async () => {
    const aug = await kpis(reviewerA, 'month=2026-08&granularity=total');
    expect(aug.total.counters).toMatchObject({ postShifts: 3, postAttended: 2 });
    expect(aug.total.rates.attendanceRate).toBe(0.6667);
  });

  it('answers bad KPI queries with a 400 that says what to fix', async () => {
    const bad = async (qs: string, text: string) => {
      const r = await h.as(reviewerA, 'GET', `/api/kpis?${qs}`, undefined, 400);
      expect(JSON.stringify(r.body.message)).toContain(text);
    };
    await bad(`month=${MONTH}`, 'contractId is required');
    await bad(`contractId=${A.contractId}`, 'from must be');
    await bad(`contractId=${A.contractId}&from=2026-10-31&to=2026-10-01`, 'is after');
    await bad(`contractId=${A.contractId}&from=2025-01-01&to=2026-10-01`, 'at most 366');
    await bad(`contractId=${A.contractId}&month=${MONTH}&granularity=hour`, 'granularity must be');
    await bad(`contractId=${A.contractId}&month=${MONTH}&serviceLine=x`, 'serviceLine must be');
  });
});
