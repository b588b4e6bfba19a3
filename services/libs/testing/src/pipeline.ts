import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { forgetSessions, startService, testUrls, uniqueName, type RunningService } from './helpers';

/** A point of a device's track as the chain tests build them (the shape of the worker's evidence points). */
export interface TrackPoint {
  ts: number;
  lat: number;
  lng: number;
  spd?: number;
  ops?: Record<string, boolean>;
  evt?: string;
}

/**
 * Publishes points as device protocol v1 records over the test broker with the device's own credentials, 200 per
 * message, numbered from `firstSeq`.
 */
export async function publishPoints(
  device: { deviceId: string; secret: string },
  kind: 'gps' | 'badge',
  points: TrackPoint[],
  firstSeq = 1,
): Promise<void> {
  const client = await mqtt.connectAsync(testUrls().MQTT_URL, {
    username: device.deviceId,
    password: device.secret,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  try {
    const records = points.map((p, i) =>
      kind === 'gps'
        ? {
            seq: firstSeq + i,
            ts: p.ts,
            lat: p.lat,
            lng: p.lng,
            spd: p.spd ?? 8,
            hdg: 90,
            ign: true,
            ops: p.ops ?? {},
          }
        : { seq: firstSeq + i, ts: p.ts, lat: p.lat, lng: p.lng, bat: 80, evt: p.evt ?? 'hb' },
    );
    for (let i = 0; i < records.length; i += 200)
      await client.publishAsync(
        `dwg/v1/${device.deviceId}/${kind}`,
        JSON.stringify(records.slice(i, i + 200)),
        {
          qos: 1,
        },
      );
  } finally {
    await client.endAsync();
  }
}

const INGEST_CONNECTIONS = 4;

/**
 * The ingest and worker processes on one test database and Redis prefix, with a handle on the worker's tasks
 * queue, so a test can drive devices through the real chain and run a scheduled job (generation, lifecycle) when
 * it wants instead of waiting for its cron.
 */
export class PipelineUnderTest {
  private constructor(
    readonly ingest: RunningService,
    readonly worker: RunningService,
    private readonly ingestId: string,
    /** A Redis connection on the test stack, for queues the test opens itself. */
    readonly connection: Redis,
    private readonly tasksQueue: Queue,
    private readonly tasksEvents: QueueEvents,
  ) {}

  static async start(opts: {
    mongoUrl: string;
    prefix: string;
    /** The worker's queue of scheduled task jobs (WORKER_QUEUES.tasks). */
    tasksQueue: string;
  }): Promise<PipelineUnderTest> {
    const { mongoUrl, prefix } = opts;
    const connection = new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(opts.tasksQueue, { connection, prefix: `${prefix}:bull` });
    const events = new QueueEvents(opts.tasksQueue, {
      connection: connection.duplicate(),
      prefix: `${prefix}:bull`,
    });
    const env = { MONGO_URL: mongoUrl, REDIS_PREFIX: prefix };
    const ingestId = `${prefix}-ingest`;
    let ingest: RunningService | undefined;
    try {
      await events.waitUntilReady();
      ingest = await startService('ingest', {
        ...env,
        INSTANCE_ID: ingestId,
        INGEST_MQTT_CONNECTIONS: String(INGEST_CONNECTIONS),
        INGEST_SHARE_GROUP: uniqueName('g'),
      });
      const worker = await startService('worker', {
        ...env,
        INSTANCE_ID: `${prefix}-worker`,
        WORKER_TASK_CACHE_MS: '0',
      });
      return new PipelineUnderTest(ingest, worker, ingestId, connection, queue, events);
    } catch (e) {
      // The caller gets no handle to stop: stop here whatever did start.
      await ingest?.stop();
      await closeAll(ingestId, connection, queue, events);
      throw e;
    }
  }

  /** Runs one job of the tasks queue now and waits for its result. */
  async runJob(name: string, data: object, jobId: string): Promise<unknown> {
    const job = await this.tasksQueue.add(name, data, { jobId });
    return job.waitUntilFinished(this.tasksEvents, 60_000);
  }

  /** Stops both services and removes the broker sessions ingest left, so no queue outlives the test. */
  async stop(): Promise<void> {
    await this.worker.stop();
    await this.ingest.stop();
    await closeAll(this.ingestId, this.connection, this.tasksQueue, this.tasksEvents);
  }
}

async function closeAll(ingestId: string, connection: Redis, queue: Queue, events: QueueEvents) {
  await events.close();
  await queue.close();
  connection.disconnect();
  await forgetSessions(Array.from({ length: INGEST_CONNECTIONS }, (_, i) => `${ingestId}-${i}`));
}
