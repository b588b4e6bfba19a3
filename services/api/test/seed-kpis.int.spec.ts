import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { QUEUES } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import { REPO_ROOT } from '@dwg/local-stack';
import { createTestDb, testUrls, uniqueName, type TestDb } from '@dwg/testing';
import { demoKpiEvents } from '../src/seed/demo-kpis';
import { buildDemo } from '../src/seed/demo-world';

const run = promisify(execFile);

/** `seed --kpi-history` (what npm start runs) queues the month-to-date history once, on the worker's queue. */
describe('demo seed: KPI history', () => {
  let db: TestDb;
  let queue: Queue;
  const prefix = uniqueName('seedkpi');
  const dir = mkdtempSync(join(tmpdir(), 'dwg-seedkpi-'));
  const seed = () =>
    run(process.execPath, [
      join(REPO_ROOT, 'services/api/dist/seed/cli.js'),
      '--mongo-url',
      db.url,
      '--credentials-out',
      join(dir, 'devices.json'),
      '--broker-auth',
      'none',
      '--kpi-history',
      '--redis-url',
      testUrls().REDIS_URL,
      '--redis-prefix',
      prefix,
    ]);

  beforeAll(async () => {
    db = await createTestDb('seedkpi');
    queue = new Queue(QUEUES.domainEvents, {
      connection: { url: testUrls().REDIS_URL },
      prefix: `${prefix}:bull`,
    } as never);
  });
  afterAll(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await db.drop();
  });

  it('queues one job per synthetic change, and nothing once the history is there', async () => {
    const expected = demoKpiEvents(buildDemo(), new Date()).length;
    const first = JSON.parse((await seed()).stdout.trim().split('\n').at(-1)!);
    expect(first.kpiEvents).toBe(expected);
    expect(await queue.getWaitingCount()).toBe(expected);
    if (expected === 0) return; // the 1st of the month: no past day yet
    const [job] = await queue.getWaiting(0, 0);
    expect(['task-changed', 'alarm-changed', 'work-order-changed']).toContain(job.name);
    // Once the worker has rolled up the first change, a second start queues nothing.
    const firstEvent = demoKpiEvents(buildDemo(), new Date())[0].event;
    await db.db
      .collection(COLLECTIONS.kpiContributions)
      .insertOne({ _id: 'y' as never, contractId: firstEvent.contractId, day: firstEvent.day });
    const second = JSON.parse((await seed()).stdout.trim().split('\n').at(-1)!);
    expect(second.kpiEvents).toBe(0);
    expect(await queue.getWaitingCount()).toBe(expected);
  });
});
