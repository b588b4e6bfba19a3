import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import * as turf from '@turf/turf';
import type { Job, Queue } from 'bullmq';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import {
  DEFAULT_CALENDAR,
  DOMAIN_EVENTS,
  QUEUES,
  workOrderChanged,
  type AlarmChanged,
  type RoutingRule,
  type WorkCalendar,
  type WorkOrderChanged,
  type WorkOrderDoc,
} from '@dwg/contracts';
import { COLLECTIONS, DUPLICATE_KEY } from '@dwg/persistence';
import { DomainEventBus, publishDomainEvent } from '../events/domain-event-bus';
import { dispatch, type HandlesJobs, type JobHandler } from '../jobs/handlers';
import { WORKER_JOBS, WORKER_QUEUES } from '../jobs/queues';
import { LOGGER, MONGO } from '../tokens';
import { buildAlarmOrder, opensWorkOrder } from './alarm-orders';
import { decideCard, planTimers, type CardJob } from './timers';

/**
 * The worker's half of the work-order loop: keeps one delayed job per pending card in step with every
 * WorkOrderChanged, gives yellow and red cards when they go off (re-checking the stored order), and opens
 * work orders for chosen alarms. Writes to `work_orders` are conditional on `rev`, like the api's.
 */
@Injectable()
export class WorkOrderLoop implements OnModuleInit {
  constructor(
    @Inject(DomainEventBus) private readonly bus: DomainEventBus,
    @InjectQueue(WORKER_QUEUES.workOrderTimers) private readonly timers: Queue,
    @InjectQueue(QUEUES.domainEvents) private readonly events: Queue,
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit() {
    this.bus.subscribe(DOMAIN_EVENTS.workOrderChanged, (e) => this.retime(e));
    this.bus.subscribe(DOMAIN_EVENTS.alarmChanged, (e) => this.fromAlarm(e));
  }

  private get orders() {
    return this.mongo.db.collection<WorkOrderDoc>(COLLECTIONS.workOrders);
  }

  async retime(e: WorkOrderChanged): Promise<void> {
    const plan = planTimers(e, Date.now());
    for (const id of plan.remove) await this.timers.remove(id).catch(() => 0);
    for (const a of plan.add)
      await this.timers.add(WORKER_JOBS.workOrderTimers.card, a.data, {
        jobId: a.id,
        delay: a.delayMs,
        attempts: 10,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      });
  }

  /** A timer went off: give the card if the stored order still calls for it. */
  async fire(job: CardJob): Promise<string> {
    const o = (await this.orders.findOne({ _id: job.workOrderId })) as WorkOrderDoc | null;
    const d = decideCard(o, job, Date.now());
    if (!d.fire) return `skipped: ${d.why}`;
    const now = new Date();
    const field = job.card === 'yellow' ? 'yellowCardAt' : 'redCardAt';
    const entry = {
      at: now.toISOString(),
      action: `${job.card}_card`,
      by: { id: 'platform', username: 'deadlines', role: 'system' },
      from: o!.state,
      to: o!.state,
      note: `${job.card === 'yellow' ? 'first' : 'second'} deadline ${job.at} passed`,
    };
    const res = await this.orders.updateOne(
      { _id: o!._id, rev: o!.rev, deadlineVersion: job.deadlineVersion },
      { $set: { [field]: now.toISOString(), rev: o!.rev + 1, updatedAt: now }, $push: { history: entry } },
    );
    // Changed meanwhile: throw so BullMQ retries against the new state.
    if (!res.matchedCount) throw new Error(`work order ${o!._id} changed while giving its ${job.card} card`);
    const after: WorkOrderDoc = { ...o!, [field]: now.toISOString(), rev: o!.rev + 1, updatedAt: now };
    await this.mongo.db
      .collection(COLLECTIONS.workOrderNotifications)
      .insertOne({
        _id: `${o!._id}|${job.card}|${job.deadlineVersion}` as never,
        workOrderId: o!._id,
        kind: `${job.card}_card`,
        teamId: o!.teamId,
        contractId: o!.contractId,
        operatorId: o!.operatorId,
        agencyId: o!.agencyId,
        message: `${job.card === 'yellow' ? '黄牌' : '红牌'}：工单 ${o!._id}（${o!.category}）超过${job.card === 'yellow' ? '首次' : '第二'}时限`,
        at: now.toISOString(),
      })
      .catch((e: { code?: number }) => {
        if (e.code !== DUPLICATE_KEY) throw e;
      });
    await publishDomainEvent(
      this.events,
      DOMAIN_EVENTS.workOrderChanged,
      after._id,
      workOrderChanged(after, now),
    );
    this.logger.info({ workOrderId: o!._id, card: job.card }, 'work order escalated');
    return `${job.card} card given`;
  }

  async fromAlarm(a: AlarmChanged): Promise<void> {
    if (!opensWorkOrder(a)) return;
    const db = this.mongo.db;
    const id = `wo-alarm-${a.alarmId}`;
    if (await this.orders.findOne({ _id: id }, { projection: { _id: 1 } })) return;
    const contract = a.contractId
      ? await db.collection(COLLECTIONS.contracts).findOne({ _id: a.contractId as never })
      : null;
    const zones = a.contractId
      ? await db
          .collection(COLLECTIONS.zones)
          .find({ contractId: a.contractId }, { projection: { parentId: 1, geometry: 1 } })
          .toArray()
      : [];
    const byId = new Map(zones.map((z) => [String(z._id), z]));
    const chain: string[] = [];
    for (
      let z = a.zoneId ?? undefined;
      z && byId.has(z) && chain.length < 10;
      z = byId.get(z)?.parentId as string | undefined
    )
      chain.push(z);
    let zoneCentre: { lng: number; lat: number } | null = null;
    const zone = a.zoneId ? byId.get(a.zoneId) : undefined;
    if (zone && typeof zone.geometry === 'string') {
      const [lng, lat] = turf.centroid(JSON.parse(zone.geometry)).geometry.coordinates;
      zoneCentre = { lng, lat };
    }
    const routing = contract
      ? await db.collection(COLLECTIONS.workOrderRouting).findOne({ _id: String(contract._id) as never })
      : null;
    const teams = contract
      ? await db
          .collection(COLLECTIONS.teams)
          .find({ contractId: String(contract._id) }, { projection: { serviceLine: 1 } })
          .toArray()
      : [];
    const cal = contract
      ? await db.collection(COLLECTIONS.workOrderCalendars).findOne({ _id: String(contract._id) as never })
      : null;
    const doc = buildAlarmOrder(a, {
      contract: contract
        ? {
            id: String(contract._id),
            operatorId: String(contract.operatorId),
            agencyId: String(contract.agencyId),
            serviceLines: (contract.serviceLines as string[]) ?? [],
          }
        : null,
      zoneChain: chain,
      zoneCentre,
      rules: (routing?.rules as RoutingRule[] | undefined) ?? [],
      teams: teams.map((t) => ({ id: String(t._id), serviceLine: String(t.serviceLine) })),
      calendar: cal ? ({ ...DEFAULT_CALENDAR, ...cal } as unknown as WorkCalendar) : DEFAULT_CALENDAR,
      now: new Date(),
    });
    try {
      await this.orders.insertOne(doc);
    } catch (e) {
      if ((e as { code?: number }).code === DUPLICATE_KEY) return; // opened by a concurrent delivery
      throw e;
    }
    await publishDomainEvent(this.events, DOMAIN_EVENTS.workOrderChanged, doc._id, workOrderChanged(doc));
    this.logger.info(
      { workOrderId: doc._id, alarmId: a.alarmId, teamId: doc.teamId },
      'work order opened from alarm',
    );
  }
}

@Processor(WORKER_QUEUES.workOrderTimers, { autorun: false })
export class WorkOrderTimersProcessor extends WorkerHost implements HandlesJobs {
  readonly queue = WORKER_QUEUES.workOrderTimers;
  readonly handlers: Record<string, JobHandler> = {
    [WORKER_JOBS.workOrderTimers.card]: (job: Job) => this.loop.fire(job.data as CardJob),
  };

  constructor(@Inject(WorkOrderLoop) private readonly loop: WorkOrderLoop) {
    super();
  }

  process(job: Job): Promise<unknown> {
    return dispatch(this, job);
  }
}
