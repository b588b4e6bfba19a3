import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '@dwg/local-stack';
import {
  createTestDb,
  startService,
  testUrls,
  uniqueName,
  type RunningService,
  type TestDb,
} from '@dwg/testing';
import { WORKER_JOBS, WORKER_QUEUES } from '../src/jobs/queues';
import { WORKER_COLLECTIONS } from '../src/persistence/collections';
import { serviceDay } from '../src/tasks/service-day';

const run = promisify(execFile);

/** The demo district as the api's seed stores it (geometry as JSON text): what `npm start` gives the worker. */
describe("worker: the demo district's tasks", () => {
  let db: TestDb;
  let worker: RunningService;
  const prefix = uniqueName('demo');
  const day = serviceDay(Date.now());

  beforeAll(async () => {
    db = await createTestDb('demotasks');
    await run(process.execPath, [
      join(REPO_ROOT, 'services/api/dist/seed/cli.js'),
      '--mongo-url',
      db.url,
      '--credentials-out',
      join(mkdtempSync(join(tmpdir(), 'dwg-demo-')), 'devices.json'),
      '--broker-auth',
      'none',
    ]);
    worker = await startService('worker', {
      MONGO_URL: db.url,
      REDIS_PREFIX: prefix,
      INSTANCE_ID: `${prefix}-w`,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await db?.drop();
  });

  it("has today's tasks on all four service lines, and generating again adds none", async () => {
    const tasks = db.db.collection(WORKER_COLLECTIONS.tasks);
    const connection = new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(WORKER_QUEUES.tasks, { connection, prefix: `${prefix}:bull` });
    const events = new QueueEvents(WORKER_QUEUES.tasks, {
      connection: connection.duplicate(),
      prefix: `${prefix}:bull`,
    });
    const generate = async (jobId: string) => {
      const job = await queue.add(WORKER_JOBS.tasks.generate, { day }, { jobId });
      return (await job.waitUntilFinished(events, 240_000)) as {
        tasks: number;
        inserted: number;
        updated: number;
      };
    };
    try {
      await events.waitUntilReady();
      // The worker also generates at start; both runs upsert the same ids.
      const first = await generate(`first-${day}`);
      expect(first.tasks).toBeGreaterThan(400);
      expect(await tasks.countDocuments({ day })).toBe(first.tasks);
      const lines = await tasks.distinct('serviceLine', { day });
      expect(lines.sort()).toEqual(['greening', 'patrol', 'sanitation', 'waste_sorting']);
      const kinds = await tasks.distinct('kind', { day });
      expect(kinds.sort()).toEqual(
        [
          'collection_rounds',
          'greening',
          'online',
          'patrol_rounds',
          'post',
          'route',
          'sorting_rounds',
        ].sort(),
      );
      const again = await generate(`again-${day}`);
      expect(again).toMatchObject({ tasks: first.tasks, inserted: 0, updated: 0, unchanged: first.tasks });
      expect(await tasks.countDocuments({ day })).toBe(first.tasks);
    } finally {
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  }, 300_000); // generation (7 s of upserts on FerretDB) queues behind the start-up runs, lifecycle and sweep
});
