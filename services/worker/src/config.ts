import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { InfraConfig } from '@dwg/config';
import { DEFAULT_BUCKETS } from './persistence/evidence-buckets';

/** Worker settings; every field is an environment variable of the same name. */
export class WorkerConfig extends InfraConfig {
  /** Health and metrics port; 0 picks a free one. */
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HTTP_PORT = 3002;

  /** Prefix of every Redis key; BullMQ queues live under `${REDIS_PREFIX}:bull`, as ingest publishes them. */
  @IsString()
  @MinLength(1)
  REDIS_PREFIX = 'dwg';

  /** Batch events processed at once per process; their evidence is written together (group commit). */
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_TELEMETRY_CONCURRENCY = 16;

  /**
   * Domain events handled at once per process. Steps of one entity are serialized in-process (KpiRollups), so
   * events of different entities overlap their FerretDB round trips.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_DOMAIN_EVENTS_CONCURRENCY = 8;

  /**
   * KPI service days stay open this many days (0: forever). Changes of a day before are refused, so the nightly
   * housekeeping can delete the rollup steps of entities on closed days (docs/kpis.md).
   */
  @IsInt()
  @Min(0)
  WORKER_KPI_OPEN_DAYS = 100;

  /** How long compiled tasks of an hour are reused before the tasks collection is read again. */
  @IsInt()
  @Min(0)
  WORKER_TASK_CACHE_MS = 10_000;

  /**
   * Margin around the receipt times read from a batch id when an event carries no records and they are read back
   * (clock difference between ingest hosts and Redis). Too wide only costs reads: evidence is idempotent.
   */
  @IsInt()
  @Min(0)
  WORKER_RECEIVED_SKEW_MS = 30_000;

  /**
   * Bucket documents per service day for the evidence state: a fold costs one update per touched bucket. Fixed
   * for a day by its first write, so a change applies from the next new day.
   */
  @IsInt()
  @Min(1)
  @Max(256)
  WORKER_EVIDENCE_BUCKETS = DEFAULT_BUCKETS;

  /**
   * On SIGTERM, how long to wait for jobs in hand and the last evidence fold. Jobs still running after it are left
   * to BullMQ, which runs them again once their locks expire (every job is idempotent); an unfolded journal is
   * folded at the next start.
   */
  @IsInt()
  @Min(0)
  WORKER_SHUTDOWN_GRACE_MS = 20_000;

  /** The summary job looks at evidence touched this long before its previous run, to survive a missed run. */
  @IsInt()
  @Min(1)
  WORKER_SUMMARY_LOOKBACK_MIN = 5;
}
