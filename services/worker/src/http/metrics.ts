import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one worker instance, served at /metrics. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Counter({
    name: 'dwg_worker_jobs_total',
    help: 'Jobs finished, by queue, job and outcome',
    labelNames: ['queue', 'job', 'outcome'],
    registers: [this.registry],
  });
  readonly records = new Counter({
    name: 'dwg_worker_evidence_records_total',
    help: 'Telemetry records evaluated for evidence',
    registers: [this.registry],
  });
  readonly evidenceWrites = new Histogram({
    name: 'dwg_worker_evidence_write_seconds',
    help: 'Time of one group-committed evidence write',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly tasksPerWrite = new Gauge({
    name: 'dwg_worker_evidence_tasks_per_write',
    help: 'Tasks updated by the last evidence write',
    registers: [this.registry],
  });
  readonly lagSeconds = new Histogram({
    name: 'dwg_worker_evidence_lag_seconds',
    help: 'From the batch stored by ingest to its evidence written',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly summaries = new Counter({
    name: 'dwg_worker_summaries_total',
    help: 'Evidence summaries written',
    registers: [this.registry],
  });
}
