import type { Queue } from 'bullmq';
import {
  DOMAIN_EVENTS,
  domainEventJobId,
  type DomainEventName,
  type DomainEventPayloads,
} from '@dwg/contracts';

export type DomainEventSubscriber<N extends DomainEventName> = (
  event: DomainEventPayloads[N],
) => Promise<void>;

/**
 * In-process fan-out of the domain-events queue: one BullMQ job per change, handed to every subscriber of its name
 * (KPI rollups, alarm → work order, …). Subscribers register in onModuleInit; they must be idempotent per rev,
 * because a job that fails in one subscriber is retried for all. Plain class (provided with useValue) so unit
 * tests can use it without Nest, whose ESM build jest cannot load.
 */
export class DomainEventBus {
  private readonly subscribers = new Map<DomainEventName, DomainEventSubscriber<DomainEventName>[]>();

  subscribe<N extends DomainEventName>(name: N, fn: DomainEventSubscriber<N>): void {
    const list = this.subscribers.get(name) ?? [];
    list.push(fn as DomainEventSubscriber<DomainEventName>);
    this.subscribers.set(name, list);
  }

  async deliver<N extends DomainEventName>(name: N, event: DomainEventPayloads[N]): Promise<number> {
    const list = this.subscribers.get(name) ?? [];
    for (const fn of list) await fn(event);
    return list.length;
  }
}

export const DOMAIN_EVENT_NAMES: readonly DomainEventName[] = Object.values(DOMAIN_EVENTS);

/** Publishes one change; the job id makes a replay of the same rev a no-op. */
export async function publishDomainEvent<N extends DomainEventName>(
  queue: Queue,
  name: N,
  id: string,
  event: DomainEventPayloads[N] & { rev: number },
): Promise<void> {
  await queue.add(name, event, {
    jobId: domainEventJobId(name, id, event.rev),
    removeOnComplete: 1000,
    removeOnFail: 5000,
    attempts: 10,
    backoff: { type: 'exponential', delay: 500 },
  });
}
