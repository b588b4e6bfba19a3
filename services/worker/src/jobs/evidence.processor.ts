import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EvidenceCore } from '../evidence.core';
import { WorkerMetrics } from '../http/metrics';
import { dispatch, type HandlesJobs, type JobHandler } from './handlers';
import { WORKER_JOBS, WORKER_QUEUES, type SummarizeJob } from './queues';

@Processor(WORKER_QUEUES.evidence, { autorun: false })
export class EvidenceProcessor extends WorkerHost implements HandlesJobs {
  readonly queue = WORKER_QUEUES.evidence;
  readonly handlers: Record<string, JobHandler> = {
    [WORKER_JOBS.evidence.summarize]: async (job: Job<SummarizeJob>) => {
      const out = await this.core.summarizer.run(job.data.asOf ?? Date.now());
      this.metrics.summaries.inc(out.summarized);
      return out;
    },
  };

  constructor(
    @Inject(EvidenceCore) private readonly core: EvidenceCore,
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return dispatch(this, job);
  }
}
