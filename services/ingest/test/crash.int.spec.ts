import { Simulator, type SimulationSummary } from '@dwg/device-sim';
import { COLLECTIONS } from '@dwg/persistence';
import { provisionDevices, testUrls, waitUntil } from '@dwg/testing';
import { IngestHarness } from './harness';

const FAULTS = { duplicate: 0.03, outOfOrder: 0.02, offline: 0.01, malformed: 0.005, clockSkew: 0.005 };

/**
 * No loss, no duplicates: ingest acknowledges a message only once it is durable, so killing it with SIGKILL while
 * devices publish loses nothing, and what the broker redelivers is stored once.
 */
describe('ingest: crash and replicas', () => {
  jest.setTimeout(300_000);

  async function fleet(h: IngestHarness, tag: string, vehicles: number, badges: number) {
    const devices = [
      ...Array.from({ length: vehicles }, (_, i) => ({ deviceId: `veh-${tag}-${i}`, kind: 'gps' as const })),
      ...Array.from({ length: badges }, (_, i) => ({ deviceId: `bdg-${tag}-${i}`, kind: 'badge' as const })),
    ];
    return (await provisionDevices(h.db.db, devices)).credentials;
  }

  function simulate(credentials: Awaited<ReturnType<typeof fleet>>, recordsPerDevice: number) {
    return new Simulator({
      mqttUrl: testUrls().MQTT_URL,
      credentials,
      recordsPerDevice,
      realTime: false,
      seed: 7,
      faults: FAULTS,
      maxInflight: 50,
    });
  }

  async function expectExactly(h: IngestHarness, summary: SimulationSummary, tag: string) {
    const filter = { deviceId: { $regex: `^(veh|bdg)-${tag}-` } };
    try {
      await h.waitForCount(summary.expectedStored, filter, 90_000);
    } catch (e) {
      const diag = {
        stored: await h.count(filter),
        expected: summary.expectedStored,
        summary,
        logs: h.instances.map((i) => i.logs.filter((l) => !l.includes('"level":30')).slice(-10)),
      };
      throw new Error(`${(e as Error).message}\n${JSON.stringify(diag, null, 1)}`, { cause: e });
    }
    // Let anything still in flight land, then check nothing beyond the expected appeared.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await h.count(filter)).toBe(summary.expectedStored);
    const dead = await h.db.db.collection(COLLECTIONS.deadLetters).countDocuments(filter);
    expect(dead).toBe(summary.expectedRejected);
  }

  it('loses nothing and duplicates nothing when the ingest process is killed with SIGKILL mid-stream', async () => {
    const h = new IngestHarness();
    await h.setup('crash');
    try {
      const creds = await fleet(h, 'k', 20, 20);
      const a = await h.startIngest('a');
      const sim = simulate(creds, 200);
      const running = sim.run();
      await waitUntil('some records stored', async () => (await h.count()) > 1000, 60_000);
      await a.kill9();
      const atKill = await h.count();
      const summary = await running;
      expect(summary.devices.failed).toBe(0);
      expect(summary.failedPublishes).toBe(0);
      expect(atKill).toBeLessThan(summary.expectedStored); // the kill really happened mid-stream
      await h.startIngest('a'); // same instance id: its broker sessions and journal entries are its own again
      await expectExactly(h, summary, 'k');
    } finally {
      await h.teardown();
    }
  });

  it('stores each record once with two instances sharing the subscription, one of them killed and restarted', async () => {
    const h = new IngestHarness();
    await h.setup('replicas');
    try {
      const creds = await fleet(h, 'r', 20, 20);
      await h.startIngest('a');
      const b = await h.startIngest('b');
      const sim = simulate(creds, 200);
      const running = sim.run();
      await waitUntil('some records stored', async () => (await h.count()) > 1000, 60_000);
      await b.kill9();
      const summary = await running;
      await h.startIngest('b');
      await expectExactly(h, summary, 'r');
      // Both instances took part: each published batch events under its own id.
      const { Queue } = await import('bullmq');
      const { Redis } = await import('ioredis');
      const queue = new Queue('telemetry', {
        connection: new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null }),
        prefix: `${h.prefix}:bull`,
      });
      const jobs = await queue.getJobs(['waiting', 'completed', 'active', 'delayed', 'failed']);
      await queue.close();
      const instances = new Set(jobs.map((j) => j.data.instanceId as string));
      expect(instances).toEqual(new Set([`${h.prefix}-a`, `${h.prefix}-b`]));
    } finally {
      await h.teardown();
    }
  });
});
