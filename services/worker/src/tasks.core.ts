import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Db, MongoClient } from 'mongodb';
import { DOMAIN_EVENTS, QUEUES } from '@dwg/contracts';
import { AlarmEngine } from './alarms/alarm-engine';
import { WorkerConfig } from './config';
import { EvidenceCore } from './evidence.core';
import { publishDomainEvent } from './events/domain-event-bus';
import { AlarmRepository } from './persistence/alarm.repository';
import { OperationsReader } from './persistence/operations.reader';
import { TaskRepository } from './persistence/task.repository';
import { TaskLifecycleRunner } from './tasks/lifecycle-runner';
import { TaskGenerator } from './tasks/task-generator';
import { MONGO } from './tokens';

/** Task generation, lifecycle and alarms, built once; processors are thin adapters over these. */
@Injectable()
export class TasksCore {
  readonly taskRepo: TaskRepository;
  readonly alarmRepo: AlarmRepository;
  readonly generator: TaskGenerator;
  readonly lifecycle: TaskLifecycleRunner;
  readonly alarms: AlarmEngine;

  constructor(
    @Inject(WorkerConfig) config: WorkerConfig,
    @Inject(MONGO) mongo: { client: MongoClient; db: Db },
    @Inject(EvidenceCore) evidence: EvidenceCore,
    @InjectQueue(QUEUES.domainEvents) events: Queue,
  ) {
    const ops = new OperationsReader(mongo.db);
    this.taskRepo = new TaskRepository(mongo.db);
    this.alarmRepo = new AlarmRepository(mongo.db);
    this.generator = new TaskGenerator(ops, this.taskRepo, (e) =>
      publishDomainEvent(events, DOMAIN_EVENTS.taskChanged, e.taskId, e),
    );
    this.alarms = new AlarmEngine(mongo.db, this.alarmRepo, evidence.tasks, this.taskRepo, ops, (e) =>
      publishDomainEvent(events, DOMAIN_EVENTS.alarmChanged, e.alarmId, e),
    );
    this.lifecycle = new TaskLifecycleRunner(
      evidence.repo,
      this.taskRepo,
      evidence.tasks,
      (e) => publishDomainEvent(events, DOMAIN_EVENTS.taskChanged, e.taskId, e),
      (task, state) => this.alarms.routeMissed(task, state),
      config.WORKER_SUMMARY_LOOKBACK_MIN * 60_000,
    );
    evidence.batches.listeners.push((points) => this.alarms.onPoints(points));
  }
}
