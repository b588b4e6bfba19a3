import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import type { JobsOptions, Queue } from 'bullmq';
import type { Logger } from 'pino';
import { addDays, serviceDay } from '../tasks/service-day';
import { LOGGER } from '../tokens';
import { WORKER_JOBS, WORKER_QUEUES, type GenerateTasksJob, type LifecycleJob } from './queues';

const OPTS: JobsOptions = {
  removeOnComplete: 100,
  removeOnFail: 1000,
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
};

/**
 * Crons only enqueue; job ids are the time slot, so every replica's cron adds the same job and it runs once.
 * Generation covers today and tomorrow every 10 minutes (and once at start), so shift changes reach the next
 * tasks and tomorrow's exist before midnight; lifecycle and the alarm sweep run every minute.
 */
@Injectable()
export class TasksCron implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(WORKER_QUEUES.tasks) private readonly tasks: Queue,
    @InjectQueue(WORKER_QUEUES.alarms) private readonly alarms: Queue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.enqueueGeneration();
  }

  @Cron('30 */10 * * * *', { name: 'task-generation' })
  async enqueueGeneration(): Promise<void> {
    const now = Date.now();
    const slot = Math.floor(now / 600_000);
    const today = serviceDay(now);
    for (const day of [today, addDays(today, 1)]) {
      const data: GenerateTasksJob = { day };
      await this.add(this.tasks, WORKER_JOBS.tasks.generate, data, `generate-${day}-${slot}`);
    }
  }

  @Cron('15 * * * * *', { name: 'task-lifecycle' })
  async enqueueMinutely(): Promise<void> {
    const asOf = Math.floor(Date.now() / 60_000) * 60_000;
    const data: LifecycleJob = { asOf };
    await this.add(this.tasks, WORKER_JOBS.tasks.lifecycle, data, `lifecycle-${asOf}`);
    await this.add(this.alarms, WORKER_JOBS.alarms.sweep, data, `sweep-${asOf}`);
  }

  /** Nightly, when little else runs: KPI housekeeping (its job id is the day, so it runs once a day). */
  @Cron('0 40 3 * * *', { name: 'kpi-compact' })
  async enqueueKpiCompact(): Promise<void> {
    await this.add(this.tasks, WORKER_JOBS.tasks.kpiCompact, {}, `kpi-compact-${serviceDay(Date.now())}`);
  }

  private async add(queue: Queue, name: string, data: object, jobId: string): Promise<void> {
    try {
      await queue.add(name, data, { ...OPTS, jobId });
    } catch (e) {
      this.logger.warn({ err: e, job: name }, 'could not enqueue; the next run will cover it');
    }
  }
}
