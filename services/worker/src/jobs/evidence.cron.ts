import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { LOGGER } from '../tokens';
import { WORKER_JOBS, WORKER_QUEUES, type SummarizeJob } from './queues';

export const SUMMARY_CRON = 'evidence-summaries';

/**
 * Crons only enqueue. The job id is the minute, so every replica's cron adds the same job and it runs once.
 */
@Injectable()
export class EvidenceCron {
  constructor(
    @InjectQueue(WORKER_QUEUES.evidence) private readonly queue: Queue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Cron('0 * * * * *', { name: SUMMARY_CRON })
  async enqueueSummaries(): Promise<void> {
    const asOf = Math.floor(Date.now() / 60_000) * 60_000;
    const data: SummarizeJob = { asOf };
    try {
      await this.queue.add(WORKER_JOBS.evidence.summarize, data, {
        jobId: `summarize-${asOf}`,
        removeOnComplete: 100,
        removeOnFail: 1000,
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
      });
    } catch (e) {
      this.logger.warn(
        { err: e },
        'could not enqueue the evidence summary job; the next minute will cover it',
      );
    }
  }
}
