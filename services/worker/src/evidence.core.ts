import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { WorkerConfig } from './config';
import { WorkerMetrics } from './http/metrics';
import { EvidenceRepository } from './persistence/evidence.repository';
import { redisLock } from './persistence/redis-lock';
import { TaskSource } from './persistence/task.source';
import { TelemetryReader } from './persistence/telemetry.reader';
import { BatchEvidence } from './pipeline/batch-evidence';
import { EvidenceWriter } from './pipeline/evidence-writer';
import { Summarizer } from './pipeline/summarizer';
import { MONGO } from './tokens';

/** The worker's domain objects, built once from config: processors are thin adapters over these. */
@Injectable()
export class EvidenceCore {
  readonly repo: EvidenceRepository;
  readonly tasks: TaskSource;
  readonly writer: EvidenceWriter;
  readonly batches: BatchEvidence;
  readonly summarizer: Summarizer;
  /** For /health and the evidence write lock; BullMQ keeps its own connections. */
  readonly redis: Redis;

  constructor(
    @Inject(WorkerConfig) config: WorkerConfig,
    @Inject(MONGO) readonly mongo: { client: MongoClient; db: Db },
    @Inject(WorkerMetrics) metrics: WorkerMetrics,
  ) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    this.repo = new EvidenceRepository(mongo.db, {
      buckets: config.WORKER_EVIDENCE_BUCKETS,
      // Replicas fold into the same bucket documents; FerretDB would lose one of two concurrent updates.
      lock: redisLock(this.redis, `${config.REDIS_PREFIX}:evidence:write-lock`),
    });
    this.tasks = new TaskSource(mongo.db, config.WORKER_TASK_CACHE_MS);
    this.writer = new EvidenceWriter(this.repo, (tasks, ms) => {
      metrics.evidenceWrites.observe(ms / 1000);
      metrics.tasksPerWrite.set(tasks);
    });
    this.batches = new BatchEvidence(
      new TelemetryReader(mongo.db, config.WORKER_RECEIVED_SKEW_MS),
      this.tasks,
      this.writer,
    );
    this.summarizer = new Summarizer(this.repo, this.tasks, config.WORKER_SUMMARY_LOOKBACK_MIN * 60_000);
  }
}
