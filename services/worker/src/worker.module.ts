import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { QUEUES } from '@dwg/contracts';
import { WorkerConfig } from './config';
import { EvidenceCore } from './evidence.core';
import { DomainEventBus } from './events/domain-event-bus';
import { DomainEventsProcessor } from './events/domain-events.processor';
import { HealthController } from './http/health.controller';
import { WorkerMetrics } from './http/metrics';
import { KpiRollupSubscriber } from './kpi/kpi-rollup.subscriber';
import { EvidenceCron } from './jobs/evidence.cron';
import { EvidenceProcessor } from './jobs/evidence.processor';
import { WORKER_QUEUES } from './jobs/queues';
import { redisOptions } from './jobs/redis';
import { TelemetryProcessor } from './jobs/telemetry.processor';
import { TasksCron } from './jobs/tasks.cron';
import { AlarmsProcessor, TasksProcessor } from './jobs/tasks.processor';
import { TasksCore } from './tasks.core';
import { WorkerLifecycle } from './worker.lifecycle';
import { WorkOrderLoop, WorkOrderTimersProcessor } from './work-orders/work-order-loop';
import { LOGGER, MONGO } from './tokens';

export interface WorkerDeps {
  config: WorkerConfig;
  mongo: { client: MongoClient; db: Db };
  logger: Logger;
}

@Module({})
export class WorkerModule {
  static register(deps: WorkerDeps): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ScheduleModule.forRoot(),
        BullModule.forRoot({
          connection: redisOptions(deps.config.REDIS_URL),
          prefix: `${deps.config.REDIS_PREFIX}:bull`,
        }),
        BullModule.registerQueue(
          { name: QUEUES.telemetry },
          { name: WORKER_QUEUES.evidence },
          { name: QUEUES.domainEvents },
          { name: WORKER_QUEUES.workOrderTimers },
          { name: WORKER_QUEUES.tasks },
          { name: WORKER_QUEUES.alarms },
        ),
      ],
      controllers: [HealthController],
      providers: [
        { provide: WorkerConfig, useValue: deps.config },
        { provide: MONGO, useValue: deps.mongo },
        { provide: LOGGER, useValue: deps.logger },
        WorkerMetrics,
        EvidenceCore,
        TelemetryProcessor,
        EvidenceProcessor,
        { provide: DomainEventBus, useValue: new DomainEventBus() },
        DomainEventsProcessor,
        WorkOrderLoop,
        WorkOrderTimersProcessor,
        KpiRollupSubscriber,
        EvidenceCron,
        TasksCore,
        TasksProcessor,
        AlarmsProcessor,
        TasksCron,
        WorkerLifecycle,
      ],
    };
  }
}
