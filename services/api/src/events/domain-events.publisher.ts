import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { domainEventJobId, QUEUES, type DomainEventName, type DomainEventPayloads } from '@dwg/contracts';
import { ApiConfig } from '../config';

/**
 * Publishes domain events (AlarmChanged when a person acknowledges or closes an alarm) on the worker's BullMQ
 * queue, with the same job id scheme as the worker, so a retried request does not publish a rev twice.
 */
@Injectable()
export class DomainEventsPublisher implements OnApplicationShutdown {
  private readonly queue: Queue;

  constructor(@Inject(ApiConfig) config: ApiConfig) {
    const u = new URL(config.REDIS_URL);
    this.queue = new Queue(QUEUES.domainEvents, {
      connection: {
        host: u.hostname,
        port: u.port ? Number(u.port) : 6379,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) || 0 : 0,
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
        maxRetriesPerRequest: 1,
      },
      prefix: `${config.REDIS_PREFIX}:bull`,
    });
  }

  async publish<N extends DomainEventName>(
    name: N,
    id: string,
    event: DomainEventPayloads[N] & { rev: number },
  ): Promise<void> {
    await this.queue.add(name, event, {
      jobId: domainEventJobId(name, id, event.rev),
      removeOnComplete: 1000,
      removeOnFail: 5000,
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
