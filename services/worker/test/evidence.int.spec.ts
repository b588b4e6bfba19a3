import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, QUEUES, type TelemetryBatchStored, type TelemetryPoint } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import {
  createTestDb,
  startService,
  testUrls,
  uniqueName,
  waitUntil,
  type RunningService,
  type TestDb,
} from '@dwg/testing';
import { drive, offset, ORIGIN, square, stay, straightRoute } from '../src/evidence/test-geometry';
import type { EvidencePoint, EvidenceTask } from '../src/evidence';
import { encodePoints, type TelemetryBatchStoredWithPoints } from '../src/jobs/points-codec';
import { WORKER_JOBS, WORKER_QUEUES } from '../src/jobs/queues';
import { WORKER_COLLECTIONS } from '../src/persistence/collections';
import { EvidenceRepository } from '../src/persistence/evidence.repository';
import { toTaskDoc } from '../src/persistence/task.codec';

/** The built worker process against the test stack, fed batch events the way ingest publishes them. */
describe('worker: batch events → evidence', () => {
  let db: TestDb;
  let worker: RunningService;
  let telemetryQueue: Queue;
  let evidenceQueue: Queue;
  const prefix = uniqueName('w');
  const now = Date.now();
  const t0 = now - 40 * 60_000;
  const line = straightRoute(600);
  const tasks: EvidenceTask[] = [
    {
      id: 'route-1',
      day: 'today',
      windowStart: now - 3_600_000,
      windowEnd: now + 3_600_000,
      subjects: ['veh-w-1'],
      spec: { type: 'route', routeId: 'r', line, operation: 'sweep', passes: 1 },
    },
    {
      id: 'post-1',
      day: 'today',
      windowStart: t0,
      windowEnd: now + 3_600_000,
      subjects: ['bdg-w-1'],
      spec: { type: 'post', zone: square(ORIGIN, 200) },
    },
  ];

  const toStored = (p: EvidencePoint, seq: number): TelemetryPoint => ({
    deviceId: p.deviceId,
    kind: p.deviceId.startsWith('veh') ? 'gps' : 'badge',
    seq,
    ts: new Date(p.ts),
    receivedAt: new Date(),
    loc: { type: 'Point', coordinates: [p.lng, p.lat] },
    late: false,
    ...(p.spd !== undefined ? { spd: p.spd, hdg: 90, ign: true } : {}),
    ...(p.ops ? { ops: p.ops } : {}),
    ...(p.evt ? { evt: p.evt, bat: 80 } : {}),
  });

  /** Stores records as ingest does and publishes its event with the same job options (jobId = batch id). */
  async function storeAndPublish(points: TelemetryPoint[], carryPoints: boolean, batchId?: string) {
    await db.db.collection(COLLECTIONS.telemetry).insertMany(
      points.map((p) => ({ ...p })),
      { ordered: false },
    );
    const ms = Date.now();
    const ts = points.map((p) => p.ts.getTime());
    const event: TelemetryBatchStoredWithPoints = {
      batchId: batchId ?? `${ms - 5}-0..${ms}-${points.length}`,
      instanceId: 'test',
      storedAt: new Date().toISOString(),
      inserted: points.length,
      duplicates: 0,
      deadLetters: 0,
      late: 0,
      byKind: {
        gps: points.filter((p) => p.kind === 'gps').length,
        badge: points.filter((p) => p.kind === 'badge').length,
      },
      deviceIds: [...new Set(points.map((p) => p.deviceId))],
      minTs: new Date(Math.min(...ts)).toISOString(),
      maxTs: new Date(Math.max(...ts)).toISOString(),
      ...(carryPoints ? { points: encodePoints(points) } : {}),
    };
    await telemetryQueue.add(JOBS.telemetry.batchStored, event satisfies TelemetryBatchStored, {
      jobId: event.batchId,
      removeOnComplete: 1000,
      removeOnFail: 10000,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    });
    return event;
  }

  const evidence = (id: string) => new EvidenceRepository(db.db).state(id, 'today');
  const summarizeNow = (tag: string) =>
    evidenceQueue.add(
      WORKER_JOBS.evidence.summarize,
      { asOf: Date.now() },
      { jobId: `summarize-test-${tag}` },
    );
  const summaryOf = async (id: string) =>
    ((await evidence(id))?.summary ?? null) as Record<string, unknown> | null;

  beforeAll(async () => {
    db = await createTestDb('worker');
    await db.db.collection(WORKER_COLLECTIONS.tasks).insertMany(tasks.map(toTaskDoc) as never[]);
    const connection = new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null });
    telemetryQueue = new Queue(QUEUES.telemetry, { connection, prefix: `${prefix}:bull` });
    evidenceQueue = new Queue(WORKER_QUEUES.evidence, { connection, prefix: `${prefix}:bull` });
    worker = await startService('worker', {
      MONGO_URL: db.url,
      REDIS_PREFIX: prefix,
      INSTANCE_ID: `${prefix}-worker`,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await telemetryQueue?.close();
    await evidenceQueue?.close();
    await db?.drop();
    // Nest re-raises SIGTERM after its shutdown hooks, so the exit code is the signal's; the log shows it finished.
    expect(worker.logs.some((l) => l.includes('"msg":"worker stopped"'))).toBe(true);
  });

  it('serves health and metrics', async () => {
    const health = await (await fetch(`${worker.url}/health`)).json();
    expect(health).toEqual({ status: 'ok', checks: { mongo: 'up', redis: 'up' } });
    expect(await (await fetch(`${worker.url}/metrics`)).text()).toContain(
      'dwg_worker_evidence_records_total',
    );
  });

  it('builds route coverage from a batch read back from telemetry, then from one carrying its records', async () => {
    const all = drive(line, 0, 600, { deviceId: 'veh-w-1', t0 }).map(toStored);
    const firstHalf = all.filter((p) => p.loc.coordinates[0] <= offset(ORIGIN, 300, 0)[0]);
    const rest = all.slice(firstHalf.length);
    await storeAndPublish(firstHalf, false);
    await waitUntil(
      'route evidence',
      async () => Object.keys((await evidence('route-1'))?.cells ?? {}).length > 0,
    );
    await summarizeNow('half');
    const half = await waitUntil('half summary', () => summaryOf('route-1'));
    expect(half.coverage as number).toBeGreaterThan(0.45);
    expect(half.coverage as number).toBeLessThan(0.56);

    const second = await storeAndPublish(rest, true);
    await waitUntil(
      'second batch',
      async () => Object.keys((await evidence('route-1'))?.cells ?? {}).length >= 29,
    );
    await summarizeNow('full');
    const full = await waitUntil('full summary', async () => {
      const s = await summaryOf('route-1');
      return s && (s.coverage as number) >= 0.98 ? s : null;
    });
    expect(full).toMatchObject({ type: 'route', done: true });

    // A replay of the same batch (ingest re-publishing after a crash) changes nothing: once its job completed and
    // the journal is folded (empty), the state is the same (the worker skips writes that add nothing).
    const before = await evidence('route-1');
    const replay = await telemetryQueue.add(
      JOBS.telemetry.batchStored,
      { ...second, batchId: `${second.batchId}-again` },
      { jobId: `${second.batchId}-again` },
    );
    await waitUntil('replay processed', async () => (await replay.getState()) === 'completed');
    await waitUntil(
      'journal folded',
      async () => (await db.db.collection(WORKER_COLLECTIONS.evidenceJournal).countDocuments({})) === 0,
    );
    const after = await evidence('route-1');
    expect(after?.cells).toEqual(before?.cells);
  });

  it('tracks attendance and an off-post episode of a badge', async () => {
    const zoneCentre = offset(ORIGIN, 100, 100);
    const away = offset(ORIGIN, 500, 100);
    const pts = [
      ...stay(zoneCentre, t0 + 60_000, 1, 1, { deviceId: 'bdg-w-1', evt: 'in' }),
      ...stay(zoneCentre, t0 + 90_000, 10 * 60_000, 30_000, { deviceId: 'bdg-w-1' }),
      ...stay(away, t0 + 11 * 60_000, 20 * 60_000, 30_000, { deviceId: 'bdg-w-1' }),
      ...stay(zoneCentre, t0 + 31 * 60_000, 5 * 60_000, 30_000, { deviceId: 'bdg-w-1' }),
    ].map((p, i) => toStored(p, i + 1));
    await storeAndPublish(pts, true);
    await waitUntil('post evidence', async () => ((await evidence('post-1'))?.outside ?? []).length > 0);
    await summarizeNow('post');
    const s = await waitUntil('post summary', () => summaryOf('post-1'));
    expect(s).toMatchObject({ type: 'post', attendance: 'on_time' });
    expect(s.offPost).toHaveLength(1);
  });
});
