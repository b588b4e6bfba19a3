import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Db } from 'mongodb';
import { Public } from '../auth/decorators';
import { MONGO } from '../tokens';
import { ApiMetrics } from './metrics';

@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(ApiMetrics) private readonly metrics: ApiMetrics,
    @Inject(MONGO) private readonly mongo: { db: Db },
  ) {}

  /** Infrastructure checks: the api needs MongoDB (Redis and the broker are not on its request path). */
  @Get('health')
  async health() {
    const checks: Record<string, string> = {};
    await this.mongo.db.command({ ping: 1 }).then(
      () => (checks.mongo = 'up'),
      () => (checks.mongo = 'down'),
    );
    const ok = Object.values(checks).every((v) => v === 'up');
    const body = { status: ok ? 'ok' : 'error', checks };
    if (!ok) throw new ServiceUnavailableException(body);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
