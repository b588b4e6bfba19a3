import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { domainEventJobId, QUEUES } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import { testUrls, uniqueName } from '@dwg/testing';
import { ApiHarness, buildTenant, type TenantWorld } from './harness';

/**
 * Tasks and alarms as the worker stores them (written here directly), read, acknowledged and closed through
 * the api: tenant scoping, the reviewer's read-only access, the 409s of the alarm lifecycle, the audit trail
 * and the AlarmChanged events on the worker's queue.
 */
describe('api: tasks and alarms', () => {
  const h = new ApiHarness();
  const prefix = uniqueName('ta');
  let a: TenantWorld;
  let b: TenantWorld;
  let redis: Redis;
  let events: Queue;
  const day = '2026-11-27';

  const task = (w: TenantWorld, id: string, kind: string, extra: Record<string, unknown> = {}) => ({
    _id: id,
    id,
    day,
    windowStart: Date.parse('2026-11-26T22:00:00Z'),
    windowEnd: Date.parse('2026-11-27T06:00:00Z'),
    subjects: ['veh-x'],
    kind,
    name: id,
    shiftId: 'sh-1',
    contractId: w.contractId,
    operatorId: w.operatorId,
    agencyId: w.agencyId,
    zoneId: null,
    serviceLine: kind === 'greening' ? 'greening' : 'sanitation',
    subjectKind: 'vehicle',
    subjectIds: ['v-1'],
    targetIds: [],
    status: 'in_progress',
    final: false,
    rev: 3,
    metrics: { coverage: 0.5 },
    photoIds: [],
    ...extra,
  });
  const alarm = (w: TenantWorld, id: string, type: string) => ({
    _id: id,
    key: `${type}|${id}`,
    openKey: `${type}|${id}`,
    active: true,
    type,
    status: 'open',
    rev: 1,
    tenantId: w.operatorId,
    contractId: w.contractId,
    operatorId: w.operatorId,
    agencyId: w.agencyId,
    zoneId: null,
    serviceLine: 'sanitation',
    day,
    deviceId: 'bdg-1',
    subjectKind: 'worker',
    subjectId: 'w-1',
    taskId: null,
    at: [113.27, 23.16],
    message: 'outside its zone for 16 min',
    openedAt: new Date(),
    lastSeenAt: new Date(),
    clearedAt: null,
    history: [],
  });

  beforeAll(async () => {
    await h.setup('tasks', { REDIS_PREFIX: prefix });
    a = await buildTenant(h, 'ta', 0);
    b = await buildTenant(h, 'tb', 1);
    const db = h.db.db;
    await db.collection(COLLECTIONS.tasks).insertMany([
      task(a, 'a-route', 'route', {
        spec: {
          type: 'route',
          routeId: 'r',
          line: { nested: [{ v: [113.2, 23.1] }, { v: [113.3, 23.1] }] },
          passes: 1,
        },
      }),
      task(a, 'a-green', 'greening', { spec: { type: 'area' }, photoRequired: true, status: 'pending' }),
      task(b, 'b-route', 'route', { spec: { type: 'route' } }),
    ] as never[]);
    await db
      .collection(COLLECTIONS.alarms)
      .insertMany([
        alarm(a, 'alm-a1', 'off_post'),
        alarm(a, 'alm-a2', 'sos'),
        alarm(b, 'alm-b1', 'off_post'),
      ] as never[]);
    redis = new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null });
    events = new Queue(QUEUES.domainEvents, { connection: redis, prefix: `${prefix}:bull` });
  });

  afterAll(async () => {
    await events?.close();
    await h.teardown();
  });

  const mgr = () => h.login(a.users.operator_manager.username, a.users.operator_manager.password);
  const dispatcher = () => h.login(a.users.dispatcher.username, a.users.dispatcher.password);
  const reviewer = () => h.login(a.users.gov_reviewer.username, a.users.gov_reviewer.password);
  const q = (o: object) => `filter=${encodeURIComponent(JSON.stringify(o))}`;

  it("lists only the tenant's tasks with filters, and shows one with its geometry unwrapped", async () => {
    const list = await h.as(
      await mgr(),
      'GET',
      `/api/tasks?${q({ day, serviceLine: 'sanitation' })}`,
      undefined,
      200,
    );
    expect(list.body.map((t: { id: string }) => t.id)).toEqual(['a-route']);
    expect(list.headers.get('content-range')).toBe('tasks 0-0/1');
    expect(list.body[0]).toMatchObject({ status: 'in_progress', metrics: { coverage: 0.5 }, type: 'route' });
    expect(list.body[0].spec).toBeUndefined();
    const all = await h.as(await reviewer(), 'GET', '/api/tasks', undefined, 200);
    expect(all.body.map((t: { id: string }) => t.id).sort()).toEqual(['a-green', 'a-route']);
    const one = await h.as(await mgr(), 'GET', '/api/tasks/a-route', undefined, 200);
    expect(one.body.spec.line).toEqual([
      [113.2, 23.1],
      [113.3, 23.1],
    ]);
    expect(one.body.windowStart).toBe('2026-11-26T22:00:00.000Z');
    await h.as(await mgr(), 'GET', '/api/tasks/b-route', undefined, 404);
    const bad = await h.as(await mgr(), 'GET', `/api/tasks?${q({ colour: 'red' })}`, undefined, 400);
    expect(bad.body.message).toContain('cannot filter by "colour"');
  });

  it('attaches a photo to a greening task only, and flags the task for the worker', async () => {
    const worker = await h.login(a.users.field_worker.username, a.users.field_worker.password);
    const ok = await h.as(worker, 'POST', '/api/tasks/a-green/photos', { photoId: 'p-1' }, 200);
    expect(ok.body.photoIds).toEqual(['p-1']);
    expect((await h.db.db.collection(COLLECTIONS.tasks).findOne({ _id: 'a-green' as never }))?.recheck).toBe(
      true,
    );
    const no = await h.as(worker, 'POST', '/api/tasks/a-route/photos', { photoId: 'p-2' }, 409);
    expect(JSON.stringify(no.body)).toContain('only greening tasks take photos');
    await h.as(worker, 'POST', '/api/tasks/a-green/photos', {}, 400);
    await h.as(await reviewer(), 'POST', '/api/tasks/a-green/photos', { photoId: 'p-3' }, 403);
  });

  it("lets a reviewer read alarms but not act on them; another tenant's alarm is not found", async () => {
    const list = await h.as(await reviewer(), 'GET', '/api/alarms', undefined, 200);
    expect(list.body.map((x: { id: string }) => x.id).sort()).toEqual(['alm-a1', 'alm-a2']);
    expect(list.body[0].allowedActions).toEqual(['acknowledge', 'close']);
    await h.as(await reviewer(), 'POST', '/api/alarms/alm-a1/acknowledge', { comment: 'seen' }, 403);
    await h.as(await dispatcher(), 'POST', '/api/alarms/alm-b1/acknowledge', {}, 404);
    await h.as(await dispatcher(), 'GET', '/api/alarms/alm-b1', undefined, 404);
  });

  it('acknowledges then closes with who, when and a comment; illegal moves are 409s naming the allowed ones', async () => {
    const d = await dispatcher();
    const ack = await h.as(d, 'POST', '/api/alarms/alm-a1/acknowledge', { comment: 'on my way' }, 200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', rev: 2, allowedActions: ['close'] });
    expect(ack.body.acknowledgedBy.username).toBe(a.users.dispatcher.username);
    const again = await h.as(d, 'POST', '/api/alarms/alm-a1/acknowledge', {}, 409);
    expect(JSON.stringify(again.body)).toContain(
      'cannot acknowledge an alarm that is acknowledged; allowed: close',
    );
    await h.as(d, 'POST', '/api/alarms/alm-a1/close', {}, 400);
    const closed = await h.as(d, 'POST', '/api/alarms/alm-a1/close', { comment: 'back on post' }, 200);
    expect(closed.body).toMatchObject({ status: 'closed', rev: 3, allowedActions: [] });
    expect(
      closed.body.history.map((x: { status: string; comment: string }) => [x.status, x.comment]),
    ).toEqual([
      ['acknowledged', 'on my way'],
      ['closed', 'back on post'],
    ]);
    // The condition still holds (active): its key stays taken, so the worker raises no second alarm for it.
    const stored = await h.db.db.collection(COLLECTIONS.alarms).findOne({ _id: 'alm-a1' as never });
    expect(stored?.openKey).toBe('off_post|alm-a1');
    const closeAgain = await h.as(d, 'POST', '/api/alarms/alm-a1/close', { comment: 'x' }, 409);
    expect(JSON.stringify(closeAgain.body)).toContain('allowed: none');
    // An SOS never clears by itself: closing releases its key.
    await h.as(d, 'POST', '/api/alarms/alm-a2/close', { comment: 'false alarm, pressed by mistake' }, 200);
    const sos = await h.db.db.collection(COLLECTIONS.alarms).findOne({ _id: 'alm-a2' as never });
    expect(sos).toMatchObject({ openKey: 'sos|alm-a2#alm-a2', active: false });

    const job = await events.getJob(domainEventJobId('alarm-changed', 'alm-a1', 3));
    expect(job?.data).toMatchObject({
      alarmId: 'alm-a1',
      status: 'closed',
      rev: 3,
      comment: 'back on post',
      contractId: a.contractId,
    });
    expect(await events.getJob(domainEventJobId('alarm-changed', 'alm-a1', 2))).toBeTruthy();
    const audit = await h.as(
      await mgr(),
      'GET',
      `/api/audit-log?${q({ resource: 'alarms', resourceId: 'alm-a1' })}`,
      undefined,
      200,
    );
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual(['acknowledge', 'close']);
  });

  it('keeps alarm rules and evidence thresholds on the contract, refusing unknown keys', async () => {
    const admin = await h.admin();
    const bad = await h.as(
      admin,
      'PUT',
      `/api/contracts/${a.contractId}`,
      { rules: { alarms: { offpostMin: 5 } } },
      400,
    );
    expect(JSON.stringify(bad.body)).toContain('rules.alarms.offpostMin is unknown');
    const ok = await h.as(
      admin,
      'PUT',
      `/api/contracts/${a.contractId}`,
      { rules: { alarms: { offPostMin: 20 }, evidence: { coverage: { doneShare: 0.9 } } } },
      200,
    );
    expect(ok.body.rules).toEqual({ alarms: { offPostMin: 20 }, evidence: { coverage: { doneShare: 0.9 } } });
  });
});
