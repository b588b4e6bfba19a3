import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { DOMAIN_EVENTS, domainEventJobId, QUEUES, workOrderChanged, type WorkOrderDoc } from '@dwg/contracts';

/** The api's side of the domain-events queue: one WorkOrderChanged job per stored change (job id per rev). */
export class WorkOrderEvents {
  readonly queue: Queue;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly logger: Logger,
  ) {
    const u = new URL(redisUrl);
    this.queue = new Queue(QUEUES.domainEvents, {
      connection: {
        host: u.hostname,
        port: u.port ? Number(u.port) : 6379,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) || 0 : 0,
        maxRetriesPerRequest: null,
      },
      prefix: `${prefix}:bull`,
    });
  }

  /** A failed publish is logged, not thrown: the change is stored and audited; the next change carries the snapshot. */
  async publish(o: WorkOrderDoc): Promise<void> {
    const e = workOrderChanged(o);
    try {
      await this.queue.add(DOMAIN_EVENTS.workOrderChanged, e, {
        jobId: domainEventJobId(DOMAIN_EVENTS.workOrderChanged, o._id, o.rev),
        removeOnComplete: 1000,
        removeOnFail: 5000,
        attempts: 10,
        backoff: { type: 'exponential', delay: 500 },
      });
    } catch (err) {
      this.logger.error({ err, workOrderId: o._id, rev: o.rev }, 'work-order-changed not published');
    }
  }

  close() {
    return this.queue.close();
  }
}
