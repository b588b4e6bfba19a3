import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { EvidenceCore } from '../evidence.core';
import { WorkerMetrics } from './metrics';

@Controller()
export class HealthController {
  constructor(
    @Inject(WorkerMetrics) private readonly metrics: WorkerMetrics,
    @Inject(EvidenceCore) private readonly core: EvidenceCore,
  ) {}

  @Get('health')
  async health() {
    const checks: Record<string, string> = {};
    await Promise.all([
      this.core.mongo.db.command({ ping: 1 }).then(
        () => (checks.mongo = 'up'),
        () => (checks.mongo = 'down'),
      ),
      this.core.redis.ping().then(
        () => (checks.redis = 'up'),
        () => (checks.redis = 'down'),
      ),
    ]);
    const ok = Object.values(checks).every((v) => v === 'up');
    const body = { status: ok ? 'ok' : 'error', checks };
    if (!ok) throw new ServiceUnavailableException(body);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
