import type { Queue } from 'bullmq';
import { JOBS, type TelemetryBatchStored } from '@dwg/contracts';

/** Publishes one event per stored batch for the worker; the job id makes a replayed batch publish once. */
export class BatchEvents {
  constructor(private readonly queue: Queue) {}

  async stored(event: TelemetryBatchStored): Promise<void> {
    await this.queue.add(JOBS.telemetry.batchStored, event, {
      jobId: event.batchId,
      removeOnComplete: 1000,
      removeOnFail: 10000,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    });
  }
}
