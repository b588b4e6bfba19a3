import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { IngestMetrics } from './metrics';
import { IngestLifecycle } from '../ingest.lifecycle';
import { MONGO } from '../tokens';
import type { Db } from 'mongodb';

@Controller()
export class HealthController {
  constructor(
    @Inject(IngestMetrics) private readonly metrics: IngestMetrics,
    @Inject(IngestLifecycle) private readonly ingest: IngestLifecycle,
    @Inject(MONGO) private readonly mongo: { db: Db },
  ) {}

  @Get('health')
  async health() {
    const checks: Record<string, string> = {};
    await Promise.all([
      this.mongo.db.command({ ping: 1 }).then(
        () => (checks.mongo = 'up'),
        () => (checks.mongo = 'down'),
      ),
      this.ingest.redis.ping().then(
        () => (checks.redis = 'up'),
        () => (checks.redis = 'down'),
      ),
    ]);
    const ok = Object.values(checks).every((v) => v === 'up');
    const body = {
      status: ok ? 'ok' : 'error',
      checks,
      journalLength: this.ingest.journal.approximateLength,
    };
    if (!ok) throw new ServiceUnavailableException(body);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
