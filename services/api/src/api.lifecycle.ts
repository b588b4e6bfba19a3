import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { ensureIndexes } from '@dwg/persistence';
import { LOGGER, MONGO } from './tokens';

/** Indexes before serving; the database connection closed last on shutdown. */
@Injectable()
export class ApiLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(MONGO) private readonly mongo: { client: MongoClient; db: Db },
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap() {
    await ensureIndexes(this.mongo.db);
    this.logger.info('api ready');
  }

  async beforeApplicationShutdown() {
    await this.mongo.client.close();
    this.logger.info('api stopped');
  }
}
