import {
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  Inject,
  Injectable,
} from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { QUEUES } from '@dwg/contracts';
import { componentLogger } from '@dwg/config';
import { ensureIndexes } from '@dwg/persistence';
import { IngestConfig } from './config';
import { RedisJournal } from './journal/redis-journal';
import { TelemetryRepository } from './persistence/telemetry.repository';
import { BatchEvents } from './events/batch-events';
import { LivePublisher } from './events/live-publisher';
import { BatchWriter } from './pipeline/batch-writer';
import { DeviceStateBuffer } from './persistence/device-state.buffer';
import { MqttIngress } from './mqtt/mqtt-ingress';
import { IngestMetrics } from './http/metrics';

import { LOGGER, MONGO } from './tokens';

/** Owns start-up order (indexes, journal, writer, then MQTT) and the reverse on shutdown. */
@Injectable()
export class IngestLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly redis: Redis;
  private readonly redisReader: Redis;
  readonly journal: RedisJournal;
  readonly writer: BatchWriter;
  readonly ingress: MqttIngress;
  private readonly deviceState: DeviceStateBuffer;
  private readonly queue: Queue;

  constructor(
    @Inject(IngestConfig) private readonly config: IngestConfig,
    @Inject(MONGO) private readonly mongo: { client: MongoClient; db: Db },
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(IngestMetrics) metrics: IngestMetrics,
  ) {
    const c = config;
    // RESP2 on the journal's connections: the stream replies are parsed by hand and RESP3 (ioredis 6's default)
    // reshapes them into maps.
    this.redis = new Redis(c.REDIS_URL, {
      maxRetriesPerRequest: null,
      enableAutoPipelining: true,
      protocol: 2,
    });
    this.redisReader = new Redis(c.REDIS_URL, { maxRetriesPerRequest: null, protocol: 2 });
    this.queue = new Queue(QUEUES.telemetry, {
      connection: new Redis(c.REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: `${c.REDIS_PREFIX}:bull`,
    });
    this.journal = new RedisJournal(this.redis, this.redisReader, {
      key: `${c.REDIS_PREFIX}:ingest:journal`,
      group: 'ingest',
      consumer: c.INSTANCE_ID,
      highWater: c.INGEST_JOURNAL_HIGH_WATER,
      claimIdleMs: c.INGEST_CLAIM_IDLE_MS,
    });
    this.deviceState = new DeviceStateBuffer(
      mongo.db,
      c.INGEST_STATE_FLUSH_MS,
      (e) => logger.error({ err: e }, 'device state flush failed; retrying at the next flush'),
      c.INGEST_STATE_DB_SHARE,
    );
    this.writer = new BatchWriter(
      this.journal,
      new TelemetryRepository(mongo.db),
      new BatchEvents(this.queue),
      this.deviceState,
      {
        instanceId: c.INSTANCE_ID,
        batchMax: c.INGEST_BATCH_MAX,
        lingerMs: c.INGEST_LINGER_MS,
        insertConcurrency: c.INGEST_INSERT_CONCURRENCY,
        lateAfterMs: c.INGEST_LATE_AFTER_MS,
        claimEveryMs: Math.max(1000, Math.floor(c.INGEST_CLAIM_IDLE_MS / 2)),
      },
      componentLogger(logger, 'batch-writer'),
      metrics,
      new LivePublisher(this.redis, c.REDIS_PREFIX, (e) =>
        logger.warn({ err: e }, 'live publish failed; the live view catches up with the next fix'),
      ),
    );
    this.ingress = new MqttIngress(
      this.journal,
      {
        url: c.MQTT_URL,
        username: c.INGEST_MQTT_USERNAME,
        password: c.INGEST_MQTT_PASSWORD,
        shareGroup: c.INGEST_SHARE_GROUP,
        instanceId: c.INSTANCE_ID,
        connections: c.INGEST_MQTT_CONNECTIONS,
        receiveMaximum: c.INGEST_MQTT_RECEIVE_MAXIMUM,
      },
      componentLogger(logger, 'mqtt-ingress'),
      metrics,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureIndexes(this.mongo.db);
    await this.journal.init();
    this.deviceState.start();
    this.writer.start();
    await this.ingress.start();
    this.logger.info({ instance: this.config.INSTANCE_ID }, 'ingest ready');
  }

  /** Graceful shutdown: stop taking messages, then write what was journaled, then close connections. */
  async beforeApplicationShutdown(): Promise<void> {
    this.logger.info('ingest stopping: closing MQTT, flushing the journal');
    await this.ingress.stop();
    await this.writer.stop();
    await this.writer.drain();
    await this.deviceState.stop();
    await this.queue.close();
    await this.redis.quit();
    await this.redisReader.quit();
    await this.mongo.client.close();
    this.logger.info('ingest stopped');
  }
}
