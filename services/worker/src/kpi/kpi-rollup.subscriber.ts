import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Db } from 'mongodb';
import { ensureIndexes } from '@dwg/persistence';
import { WorkerConfig } from '../config';
import { DomainEventBus } from '../events/domain-event-bus';
import { MONGO } from '../tokens';
import { changeFromAlarm, changeFromTask, changeFromWorkOrder, KPI_INDEXES, KpiRollups } from './kpi-rollups';

/** Feeds task, alarm and work-order changes into the KPI rollups (docs/kpis.md). */
@Injectable()
export class KpiRollupSubscriber implements OnModuleInit {
  readonly rollups: KpiRollups;

  constructor(
    @Inject(DomainEventBus) private readonly bus: DomainEventBus,
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(WorkerConfig) config: WorkerConfig,
  ) {
    this.rollups = new KpiRollups(mongo.db, undefined, config.WORKER_KPI_OPEN_DAYS || null);
  }

  async onModuleInit(): Promise<void> {
    await ensureIndexes(this.mongo.db, KPI_INDEXES);
    this.bus.subscribe('task-changed', async (e) => void (await this.rollups.apply(changeFromTask(e))));
    this.bus.subscribe('alarm-changed', async (e) => void (await this.rollups.apply(changeFromAlarm(e))));
    this.bus.subscribe(
      'work-order-changed',
      async (e) => void (await this.rollups.apply(changeFromWorkOrder(e))),
    );
  }
}
