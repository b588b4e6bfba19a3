import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { KpiRollupSubscriber } from '../kpi/kpi-rollup.subscriber';
import { TasksCore } from '../tasks.core';
import { dispatch, type HandlesJobs, type JobHandler } from './handlers';
import { WORKER_JOBS, WORKER_QUEUES, type GenerateTasksJob, type LifecycleJob } from './queues';

/** Task generation and lifecycle jobs, and the KPI housekeeping (enqueued by TasksCron). */
@Processor(WORKER_QUEUES.tasks, { autorun: false })
export class TasksProcessor extends WorkerHost implements HandlesJobs {
  readonly queue = WORKER_QUEUES.tasks;
  readonly handlers: Record<string, JobHandler> = {
    [WORKER_JOBS.tasks.generate]: (job: Job<GenerateTasksJob>) => this.core.generator.run(job.data.day),
    [WORKER_JOBS.tasks.lifecycle]: (job: Job<LifecycleJob>) =>
      this.core.lifecycle.run(job.data.asOf ?? Date.now()),
    [WORKER_JOBS.tasks.kpiCompact]: () => this.kpi.rollups.compact(),
  };

  constructor(
    @Inject(TasksCore) private readonly core: TasksCore,
    @Inject(KpiRollupSubscriber) private readonly kpi: KpiRollupSubscriber,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return dispatch(this, job);
  }
}

/** Alarm sweeps (device offline), enqueued by TasksCron; batch rules run in the telemetry job. */
@Processor(WORKER_QUEUES.alarms, { autorun: false })
export class AlarmsProcessor extends WorkerHost implements HandlesJobs {
  readonly queue = WORKER_QUEUES.alarms;
  readonly handlers: Record<string, JobHandler> = {
    [WORKER_JOBS.alarms.sweep]: (job: Job<LifecycleJob>) =>
      this.core.alarms.sweep(job.data.asOf ?? Date.now()),
  };

  constructor(@Inject(TasksCore) private readonly core: TasksCore) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return dispatch(this, job);
  }
}
