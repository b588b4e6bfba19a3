import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '@dwg/contracts';
import { EvidenceCore } from '../evidence.core';
import { WorkerMetrics } from '../http/metrics';
import { dispatch, type HandlesJobs, type JobHandler } from './handlers';
import type { TelemetryBatchStoredWithPoints } from './points-codec';

/** Ingest's batch events: one job per stored batch → evidence. autorun off: the lifecycle starts it after checks. */
@Processor(QUEUES.telemetry, { autorun: false })
export class TelemetryProcessor extends WorkerHost implements HandlesJobs {
  readonly queue = QUEUES.telemetry;
  readonly handlers: Record<string, JobHandler> = {
    [JOBS.telemetry.batchStored]: async (job: Job<TelemetryBatchStoredWithPoints>) => {
      const out = await this.core.batches.handle(job.data);
      this.metrics.records.inc(out.points);
      const stored = Date.parse(job.data.storedAt);
      if (Number.isFinite(stored)) this.metrics.lagSeconds.observe(Math.max(0, Date.now() - stored) / 1000);
      return out;
    },
  };

  constructor(
    @Inject(EvidenceCore) private readonly core: EvidenceCore,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    try {
      const r = await dispatch(this, job);
      this.metrics.jobs.inc({ queue: this.queue, job: job.name, outcome: 'ok' });
      return r;
    } catch (e) {
      this.metrics.jobs.inc({ queue: this.queue, job: job.name, outcome: 'error' });
      throw e;
    }
  }
}
