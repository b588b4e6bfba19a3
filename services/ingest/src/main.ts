import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit, PinoNestLogger } from '@dwg/config';
import { connectMongo } from '@dwg/persistence';
import { IngestConfig } from './config';
import { IngestModule } from './ingest.module';

async function main() {
  const config = loadConfigOrExit(IngestConfig);
  const logger = createLogger('ingest', config.LOG_LEVEL, config.INSTANCE_ID);
  const mongo = await connectMongo(config.MONGO_URL, `ingest-${config.INSTANCE_ID}`);
  const app = await NestFactory.create(IngestModule.register({ config, mongo, logger }), {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.listen(config.INGEST_HTTP_PORT, '0.0.0.0');
  const url = await app.getUrl();
  logger.info({ url }, 'ingest http listening');
}

main().catch((e) => {
  process.stderr.write(`ingest failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
