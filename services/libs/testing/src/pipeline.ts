import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { forgetSessions, startService, testUrls, uniqueName, type RunningService } from './helpers';

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
    await events.waitUntilReady();
    const env = { MONGO_URL: mongoUrl, REDIS_PREFIX: prefix };
    const ingestId = `${prefix}-ingest`;
    const ingest = await startService('ingest', {
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
    await this.tasksEvents.close();
    await this.tasksQueue.close();
    this.connection.disconnect();
    await forgetSessions(Array.from({ length: INGEST_CONNECTIONS }, (_, i) => `${this.ingestId}-${i}`));
  }
}
