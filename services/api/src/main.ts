import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit, PinoNestLogger } from '@dwg/config';
import { connectMongo } from '@dwg/persistence';
import { ApiModule } from './app.module';
import { createDeviceRegistry } from './broker-auth';
import { ApiConfig } from './config';
import { DomainErrorFilter } from './http/domain-error.filter';
import { setupOpenApi } from './openapi';

async function main() {
  const config = loadConfigOrExit(ApiConfig);
  const logger = createLogger('api', config.LOG_LEVEL, config.INSTANCE_ID);
  const mongo = await connectMongo(config.MONGO_URL, `api-${config.INSTANCE_ID}`);
  const registry = createDeviceRegistry(mongo.db, config);
  const app = await NestFactory.create(ApiModule.register({ config, mongo, logger, registry }), {
    logger: new PinoNestLogger(logger),
  });
  const origins = config.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  app.enableCors({ origin: origins.includes('*') ? true : origins, exposedHeaders: ['Content-Range'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DomainErrorFilter());
  setupOpenApi(app);
  app.enableShutdownHooks();
  await app.listen(config.API_PORT, '0.0.0.0');
  const url = await app.getUrl();
  logger.info({ url, brokerAuth: config.BROKER_AUTH_MODE }, 'api http listening');
}

main().catch((e) => {
  process.stderr.write(`api failed to start: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
