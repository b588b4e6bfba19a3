import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit, PinoNestLogger } from '@dwg/config';
import { connectMongo } from '@dwg/persistence';
import { WorkerConfig } from './config';
import { WorkerModule } from './worker.module';

async function main() {
  const config = loadConfigOrExit(WorkerConfig);
  const logger = createLogger('worker', config.LOG_LEVEL, config.INSTANCE_ID);
  const mongo = await connectMongo(config.MONGO_URL, `worker-${config.INSTANCE_ID}`);
  const app = await NestFactory.create(WorkerModule.register({ config, mongo, logger }), {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.listen(config.WORKER_HTTP_PORT, '0.0.0.0');
  const url = await app.getUrl();
  logger.info({ url }, 'worker http listening');
}

main().catch((e) => {
  process.stderr.write(`worker failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
