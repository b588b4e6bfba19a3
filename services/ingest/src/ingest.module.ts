import { Module } from '@nestjs/common';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { IngestConfig } from './config';
import { IngestMetrics } from './http/metrics';
import { HealthController } from './http/health.controller';
import { IngestLifecycle } from './ingest.lifecycle';
import { LOGGER, MONGO } from './tokens';

export interface IngestDeps {
  config: IngestConfig;
  mongo: { client: MongoClient; db: Db };
  logger: Logger;
}

@Module({})
export class IngestModule {
  static register(deps: IngestDeps) {
    return {
      module: IngestModule,
      controllers: [HealthController],
      providers: [
        { provide: IngestConfig, useValue: deps.config },
        { provide: MONGO, useValue: deps.mongo },
        { provide: LOGGER, useValue: deps.logger },
        IngestMetrics,
        IngestLifecycle,
      ],
    };
  }
}
