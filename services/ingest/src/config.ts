import { IsInt, IsNumber, IsString, Max, Min, MinLength } from 'class-validator';
import { InfraConfig } from '@dwg/config';

/** Ingest settings; every field is an environment variable of the same name (see README). */
export class IngestConfig extends InfraConfig {
  @IsString()
  @MinLength(1)
  INGEST_MQTT_USERNAME = 'dwg-ingest';

  @IsString()
  INGEST_MQTT_PASSWORD = '';

  @IsString()
  @MinLength(1)
  INGEST_SHARE_GROUP = 'dwg-ingest';

  /** Connections in the shared group per process. Each holds up to INGEST_MQTT_RECEIVE_MAXIMUM unacknowledged
   * messages, all waiting for their journal append; several connections spread the stream over broker sessions. */
  @IsInt()
  @Min(1)
  @Max(256)
  INGEST_MQTT_CONNECTIONS = 16;

  /** Unacknowledged messages the broker may send one connection at once (MQTT 5 Receive Maximum). Bounds the
   * messages held in memory at INGEST_MQTT_CONNECTIONS × this, and lets appends share one Redis fsync. */
  @IsInt()
  @Min(1)
  @Max(65535)
  INGEST_MQTT_RECEIVE_MAXIMUM = 100;

  /** Most journal entries (MQTT messages) written to MongoDB in one batch. */
  @IsInt()
  @Min(1)
  @Max(10000)
  INGEST_BATCH_MAX = 1000;

  /** MongoDB inserts in flight at once; 2 keeps the database busy while it commits a batch. */
  @IsInt()
  @Min(1)
  @Max(8)
  INGEST_INSERT_CONCURRENCY = 2;

  /** How long a batch waits for more entries once it has one. */
  @IsInt()
  @Min(0)
  @Max(1000)
  INGEST_LINGER_MS = 5;

  /** Journal length beyond which MQTT acknowledgements wait: the broker then holds the backlog, not our memory. */
  @IsInt()
  @Min(100)
  INGEST_JOURNAL_HIGH_WATER = 50000;

  @IsInt()
  @Min(0)
  INGEST_LATE_AFTER_MS = 60000;

  /** Journal entries another instance read but did not finish for this long are taken over (it probably died). */
  @IsInt()
  @Min(1000)
  INGEST_CLAIM_IDLE_MS = 30000;

  /** How often the devices' last state (position, battery, online) is written: at most once per device per flush. */
  @IsInt()
  @Min(50)
  @Max(60000)
  INGEST_STATE_FLUSH_MS = 1000;

  /** Largest share of the database's time the state writes may take; under load flushes space out to keep it. */
  @IsNumber()
  @Min(0.01)
  @Max(1)
  INGEST_STATE_DB_SHARE = 0.1;

  /** Health and metrics port; 0 picks a free one. */
  @IsInt()
  @Min(0)
  @Max(65535)
  INGEST_HTTP_PORT = 3001;

  /** Prefix of every Redis key (journal stream, BullMQ queues), so several deployments can share one Redis. */
  @IsString()
  @MinLength(1)
  REDIS_PREFIX = 'dwg';
}
