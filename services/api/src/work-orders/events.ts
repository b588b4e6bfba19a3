import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import {
  DOMAIN_EVENTS,
  domainEventJobId,
  QUEUES,
  type ServiceLine,
  type WorkOrderChanged,
} from '@dwg/contracts';
import type { WorkOrderDoc } from './work-order.model';

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

const LINE: Record<string, ServiceLine> = {
  sanitation: 'sanitation',
  greening: 'greening',
  patrol: 'patrol',
  waste_sorting: 'sorting',
};

/** Service day (Asia/Shanghai) of an instant. */
export function serviceDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
}

export function workOrderChanged(o: WorkOrderDoc): WorkOrderChanged {
  const closed = o.state === 'closed' ? o.closedAt : null;
  return {
    tenantId: o.operatorId ?? '',
    contractId: o.contractId ?? '',
    zoneId: o.zoneId ?? null,
    serviceLine: LINE[o.serviceLine ?? ''] ?? 'patrol',
    day: serviceDay(o.reportedAt),
    workOrderId: o._id,
    rev: o.rev,
    category: o.category,
    state: o.state,
    source: o.source,
    reportedAt: o.reportedAt,
    dispatchedAt: o.dispatchedAt ?? null,
    closedAt: o.closedAt ?? null,
    dueAt: o.dueAt ?? null,
    yellowCard: !!o.yellowCardAt,
    redCard: !!o.redCardAt,
    fixed: o.fixed ?? null,
    onTime: closed && o.dueAt ? Date.parse(closed) <= Date.parse(o.dueAt) : null,
    handlingMs: closed && o.dispatchedAt ? Date.parse(closed) - Date.parse(o.dispatchedAt) : null,
    reopenedCount: o.reopenedCount ?? 0,
    rating: o.rating ?? null,
    alarmId: o.alarmId ?? null,
    changedAt: new Date().toISOString(),
    redDueAt: o.redDueAt ?? null,
    deadlineVersion: o.deadlineVersion ?? 0,
    teamId: o.teamId ?? null,
  };
}
