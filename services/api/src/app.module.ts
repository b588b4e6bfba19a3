import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import type { DeviceRegistry } from '@dwg/device-registry';
import { ApiConfig } from './config';
import { ApiLifecycle } from './api.lifecycle';
import { AssessmentController } from './assessments/assessment.controller';
import { AssessmentService } from './assessments/assessment.service';
import { AuditController } from './audit/audit.controller';
import { AuditService } from './audit/audit.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { DeviceCredentialsController } from './devices/device-credentials.controller';
import { DeviceStore } from './devices/device.store';
import { AlarmsController } from './alarms/alarms.controller';
import { DomainEventsPublisher } from './events/domain-events.publisher';
import { TasksController } from './tasks/tasks.controller';
import { HealthController } from './http/health.controller';
import { LiveController, TracksController } from './live/live.controller';
import { LiveHub } from './live/live-hub';
import { KpiController } from './kpis/kpi.controller';
import { KpiService } from './kpis/kpi.service';
import { ApiMetrics } from './http/metrics';
import { RequestLog } from './http/request-log';
import { RESOURCE_DEFS } from './resources/definitions';
import { resourceController } from './resources/resource.controller';
import { ResourceService } from './resources/resource.service';
import { DEVICE_REGISTRY, LOGGER, MONGO } from './tokens';
import { Open311Controller } from './work-orders/open311.controller';
import { Open311KeysController } from './work-orders/open311-keys.controller';
import { WorkOrderService } from './work-orders/work-order.service';
import {
  CalendarsController,
  CategoriesController,
  RoutingRulesController,
  WorkOrdersController,
} from './work-orders/work-orders.controller';

export interface ApiDeps {
  config: ApiConfig;
  mongo: { client: MongoClient; db: Db };
  logger: Logger;
  registry: DeviceRegistry;
}

/** Controllers of every resource, built once so the OpenAPI document and the router see the same classes. */
export const RESOURCE_CONTROLLERS = RESOURCE_DEFS.map(resourceController);

@Module({})
export class ApiModule implements NestModule {
  static register(deps: ApiDeps) {
    return {
      module: ApiModule,
      imports: [JwtModule.register({})],
      controllers: [
        HealthController,
        AuthController,
        AuditController,
        DeviceCredentialsController,
        LiveController,
        TracksController,
        TasksController,
        AlarmsController,
        KpiController,
        AssessmentController,
        ...RESOURCE_CONTROLLERS,
        WorkOrdersController,
        CategoriesController,
        CalendarsController,
        RoutingRulesController,
        Open311Controller,
        Open311KeysController,
      ],
      providers: [
        { provide: ApiConfig, useValue: deps.config },
        { provide: MONGO, useValue: deps.mongo },
        { provide: LOGGER, useValue: deps.logger },
        { provide: DEVICE_REGISTRY, useValue: deps.registry },
        { provide: APP_GUARD, useClass: AuthGuard },
        ApiMetrics,
        RequestLog,
        AuthService,
        AuditService,
        DeviceStore,
        ResourceService,
        DomainEventsPublisher,
        KpiService,
        AssessmentService,
        ApiLifecycle,
        LiveHub,
        WorkOrderService,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(RequestLog).forRoutes('*');
  }
}
