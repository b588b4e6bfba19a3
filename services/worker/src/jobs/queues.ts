import { DOMAIN_EVENTS, JOBS, QUEUES } from '@dwg/contracts';

/**
 * Queues and jobs the worker owns. To move to @dwg/contracts once another service produces or reads them
 * (the API will enqueue summaries on demand; alarms and task generation add theirs here).
 */
export const WORKER_QUEUES = {
  evidence: 'evidence',
  /** Delayed jobs: a work order's yellow and red cards (issue 5). */
  workOrderTimers: 'work-order-timers',
  tasks: 'tasks',
  alarms: 'alarms',
} as const;

export const WORKER_JOBS = {
  evidence: {
    /** Recompute the summaries of evidence touched since the last run (enqueued by a cron every minute). */
    summarize: 'summarize',
  },
  workOrderTimers: {
    card: 'card',
  },
  tasks: {
    /** Generate (upsert) the tasks of one service day from the shifts in force. */
    generate: 'generate',
    /** Move tasks through pending → in_progress → completed/partial/missed and publish TaskChanged. */
    lifecycle: 'lifecycle',
    /** Delete superseded KPI contributions and the rollup steps of closed days (enqueued nightly). */
    kpiCompact: 'kpi-compact',
  },
  alarms: {
    /** Periodic alarm checks that no record triggers (device offline). */
    sweep: 'sweep',
  },
} as const;

/** Every job the worker consumes, per queue: start-up fails when one has no handler. */
export const CONSUMED_JOBS: Record<string, readonly string[]> = {
  [QUEUES.telemetry]: [JOBS.telemetry.batchStored],
  [WORKER_QUEUES.evidence]: [WORKER_JOBS.evidence.summarize],
  [WORKER_QUEUES.tasks]: Object.values(WORKER_JOBS.tasks),
  [WORKER_QUEUES.alarms]: Object.values(WORKER_JOBS.alarms),
  [QUEUES.domainEvents]: Object.values(DOMAIN_EVENTS),
  [WORKER_QUEUES.workOrderTimers]: [WORKER_JOBS.workOrderTimers.card],
};

export interface SummarizeJob {
  /** Evidence is summarised as of this time (epoch ms). */
  asOf: number;
}

export interface GenerateTasksJob {
  /** Service day (YYYY-MM-DD, Asia/Shanghai). */
  day: string;
}

export interface LifecycleJob {
  /** Evaluate as of this time (epoch ms). */
  asOf: number;
}
