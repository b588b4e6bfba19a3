import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QUEUES, type DomainEventName } from '@dwg/contracts';
import { dispatch, type HandlesJobs, type JobHandler } from '../jobs/handlers';
import { DOMAIN_EVENT_NAMES, DomainEventBus } from './domain-event-bus';

@Processor(QUEUES.domainEvents, { autorun: false })
export class DomainEventsProcessor extends WorkerHost implements HandlesJobs {
  readonly queue = QUEUES.domainEvents;
  readonly handlers: Record<string, JobHandler> = Object.fromEntries(
    DOMAIN_EVENT_NAMES.map((name) => [
      name,
      (job: Job) => this.bus.deliver(name as DomainEventName, job.data as never),
    ]),
  );

  constructor(@Inject(DomainEventBus) private readonly bus: DomainEventBus) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return dispatch(this, job);
  }
}
