import {
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  Inject,
  Injectable,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from 'pino';
import { ensureIndexes } from '@dwg/persistence';
import { WorkerConfig } from './config';
import { EvidenceCore } from './evidence.core';
import { DomainEventsProcessor } from './events/domain-events.processor';
import { assertHandlers } from './jobs/handlers';
import { EvidenceProcessor } from './jobs/evidence.processor';
import { CONSUMED_JOBS } from './jobs/queues';
import { TelemetryProcessor } from './jobs/telemetry.processor';
import { AlarmsProcessor, TasksProcessor } from './jobs/tasks.processor';
import { WORKER_INDEXES } from './persistence/collections';
import { LOGGER } from './tokens';
import { WorkOrderTimersProcessor } from './work-orders/work-order-loop';

/** Start: indexes, the handler check, then the BullMQ workers. Stop: crons, workers (active jobs finish), writes. */
@Injectable()
export class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(WorkerConfig) private readonly config: WorkerConfig,
    @Inject(EvidenceCore) private readonly core: EvidenceCore,
    @Inject(TelemetryProcessor) private readonly telemetry: TelemetryProcessor,
    @Inject(EvidenceProcessor) private readonly evidence: EvidenceProcessor,
    @Inject(DomainEventsProcessor) private readonly domainEvents: DomainEventsProcessor,
    @Inject(WorkOrderTimersProcessor) private readonly workOrderTimers: WorkOrderTimersProcessor,
    @Inject(TasksProcessor) private readonly tasks: TasksProcessor,
    @Inject(AlarmsProcessor) private readonly alarms: AlarmsProcessor,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private get processors() {
    return [this.telemetry, this.evidence, this.domainEvents, this.workOrderTimers, this.tasks, this.alarms];
  }

  async onApplicationBootstrap(): Promise<void> {
    assertHandlers(CONSUMED_JOBS, this.processors);
    await this.core.redis.connect();
    await ensureIndexes(this.core.mongo.db, WORKER_INDEXES);
    // Deltas journalled but not folded before a crash or stop: folded in the background (idempotent).
    const recovered = await this.core.writer.recover();
    if (recovered)
      this.logger.info({ entries: recovered }, 'folding evidence journal left by a previous run');
    this.telemetry.worker.concurrency = this.config.WORKER_TELEMETRY_CONCURRENCY;
    this.domainEvents.worker.concurrency = this.config.WORKER_DOMAIN_EVENTS_CONCURRENCY;
    for (const p of this.processors) {
      p.worker.on('failed', (job, err) =>
        this.logger.warn({ queue: p.queue, job: job?.name, id: job?.id, err }, 'job failed'),
      );
      p.worker.on('error', (err) => this.logger.error({ queue: p.queue, err }, 'worker error'));
      // run() resolves only when the worker closes.
      void p.worker.run().catch((err) => this.logger.error({ queue: p.queue, err }, 'worker stopped'));
    }
    this.logger.info(
      { queues: Object.keys(CONSUMED_JOBS), concurrency: this.config.WORKER_TELEMETRY_CONCURRENCY },
      'worker ready',
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.logger.info('worker stopping: crons, then jobs in hand, then evidence writes');
    for (const job of this.scheduler.getCronJobs().values()) void job.stop();
    // close() waits for active jobs; Nest's own close of these workers afterwards is a no-op. A long job (a large
    // district's generation on FerretDB) must not hold the process past its grace period.
    const deadline = Date.now() + this.config.WORKER_SHUTDOWN_GRACE_MS;
    if (!(await settlesBy(deadline, Promise.all(this.processors.map((p) => p.worker.close()))))) {
      this.logger.warn('jobs still running at the end of the grace period: BullMQ retries them (idempotent)');
      await Promise.all(this.processors.map((p) => p.worker.close(true)));
    }
    if (!(await settlesBy(deadline, this.core.writer.drain())))
      this.logger.warn('evidence journal not folded within the grace period: the next start folds it');
    this.core.redis.disconnect();
    await this.core.mongo.client.close();
    this.logger.info('worker stopped');
  }
}

/** Whether the promise resolves before the deadline; a rejection is thrown as before. */
async function settlesBy(deadline: number, p: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
