import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Db } from 'mongodb';
import { DOMAIN_EVENTS, type AlarmChanged } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import { AuditService } from '../audit/audit.service';
import { badRequest, DomainError } from '../common/domain-error';
import { contentRange, findPage, parseListQuery, type ListSpec } from '../common/list-query';
import { validateDto } from '../common/validate-dto';
import { DomainEventsPublisher } from '../events/domain-events.publisher';
import type { HttpResponse } from '../http/http-types';
import type { Principal } from '../policy/principal';
import { scopeFilter, withScope } from '../policy/scope';
import { ListQueries } from '../resources/resource.controller';
import { MONGO } from '../tokens';
import { alarmTransition, allowedActions, type AlarmAction } from './alarm-transitions';

export const ALARM_LIST: ListSpec = {
  filters: {
    contractId: 'string',
    type: 'string',
    status: 'string',
    active: 'boolean',
    deviceId: 'string',
    taskId: 'string',
    subjectId: 'string',
    zoneId: 'string',
    serviceLine: 'string',
    day: 'string',
  },
  sortable: ['openedAt', 'lastSeenAt', 'type', 'status'],
  search: ['message'],
  timeRanges: ['openedAt'],
};

/** Conditions that never clear by themselves: closing releases them, so the next one opens a new alarm. */
const EVENT_TYPES = ['sos', 'route_missed', 'bin_overflow'];

export class AlarmActionDto {
  @ApiPropertyOptional({ description: 'required to close: what was found or done', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

type AlarmDoc = Record<string, unknown> & {
  _id: string;
  key: string;
  type: string;
  status: 'open' | 'acknowledged' | 'closed';
  rev: number;
  active: boolean;
};

const iso = (d: unknown) =>
  d instanceof Date ? d.toISOString() : ((d as string | null | undefined) ?? null);

function show(a: Record<string, unknown>) {
  const { _id, openKey: _k, ...rest } = a;
  return { id: _id, ...rest, allowedActions: allowedActions(a.status as AlarmDoc['status']) };
}

function toEvent(a: AlarmDoc, comment: string | null): AlarmChanged {
  const by = (x: unknown) => (x as { username?: string } | null)?.username ?? null;
  return {
    tenantId: String(a.tenantId ?? a.operatorId ?? ''),
    contractId: String(a.contractId ?? ''),
    zoneId: (a.zoneId as string | null) ?? null,
    serviceLine: (a.serviceLine === 'waste_sorting'
      ? 'sorting'
      : a.serviceLine) as AlarmChanged['serviceLine'],
    day: String(a.day ?? ''),
    alarmId: a._id,
    rev: a.rev,
    type: a.type as AlarmChanged['type'],
    status: a.status,
    deviceId: (a.deviceId as string | null) ?? null,
    subjectKind: a.subjectKind as AlarmChanged['subjectKind'],
    subjectId: String(a.subjectId ?? ''),
    taskId: (a.taskId as string | null) ?? null,
    at: (a.at as [number, number] | null) ?? null,
    openedAt: iso(a.openedAt) ?? '',
    closedAt: iso(a.closedAt),
    clearedAt: iso(a.clearedAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    acknowledgedBy: by(a.acknowledgedBy),
    closedBy: by(a.closedBy),
    comment,
    message: String(a.message ?? ''),
    changedAt: new Date().toISOString(),
  };
}

@ApiTags('alarms')
@ApiBearerAuth()
@ResourceOf('alarms')
@Controller('api/alarms')
export class AlarmsController {
  constructor(
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(DomainEventsPublisher) private readonly events: DomainEventsPublisher,
  ) {}

  private get col() {
    return this.mongo.db.collection<AlarmDoc>(COLLECTIONS.alarms);
  }

  private where(p: Principal, filter: Record<string, unknown>) {
    return withScope(filter, scopeFilter(p, 'alarms'));
  }

  @Get()
  @Act('read')
  @ApiOperation({
    summary:
      'Alarms of your tenant (newest first by default); filter by contractId, type, status, active (condition still holding), deviceId, taskId, openedAt_gte/openedAt_lte…',
  })
  @ListQueries()
  async list(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const query = parseListQuery(ALARM_LIST, q);
    const sort =
      '_id' in query.sort && q.sort === undefined ? { openedAt: -1 as const, _id: -1 as const } : query.sort;
    const where = this.where(p, query.filter);
    const { rows, total } = await findPage(this.col, where, query, sort);
    res.setHeader('Content-Range', contentRange('alarms', query.start, rows.length, total));
    return rows.map(show);
  }

  @Get(':id')
  @Act('read')
  @ApiOperation({ summary: 'One alarm with its history (who, when, comment) and the actions allowed now' })
  async get(@CurrentUser() p: Principal, @Param('id') id: string) {
    const a = await this.col.findOne(this.where(p, { _id: id }));
    if (!a) throw new NotFoundException(`alarm "${id}" not found`);
    return show(a);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Act('write')
  @ApiOperation({ summary: 'Acknowledge an open alarm (someone is on it)' })
  @ApiBody({ type: AlarmActionDto })
  @ApiConflictResponse({ description: 'the alarm is not open; the message names the allowed actions' })
  acknowledge(@CurrentUser() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.act(p, id, 'acknowledge', body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Act('write')
  @ApiOperation({ summary: 'Close an open or acknowledged alarm, with a comment' })
  @ApiBody({ type: AlarmActionDto })
  @ApiConflictResponse({ description: 'the alarm is already closed' })
  close(@CurrentUser() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.act(p, id, 'close', body);
  }

  private async act(p: Principal, id: string, action: AlarmAction, body: unknown) {
    const dto = validateDto(AlarmActionDto, body ?? {});
    const comment = dto.comment?.trim() || null;
    if (action === 'close' && !comment)
      throw badRequest('comment is required to close an alarm (what was found or done)');
    const a = await this.col.findOne(this.where(p, { _id: id }));
    if (!a) throw new NotFoundException(`alarm "${id}" not found`);
    const next = alarmTransition(a.status, action);
    const now = new Date();
    const who = { id: p.id, username: p.username };
    const set: Record<string, unknown> = { status: next, rev: a.rev + 1 };
    if (action === 'acknowledge') Object.assign(set, { acknowledgedAt: now, acknowledgedBy: who });
    else {
      Object.assign(set, { closedAt: now, closedBy: who });
      // A condition still holding keeps its key until it clears (one alarm per condition); events release it.
      if (EVENT_TYPES.includes(a.type) || !a.active)
        Object.assign(set, { openKey: `${a.key}#${a._id}`, active: false });
    }
    const after = await this.col.findOneAndUpdate(
      { _id: id, status: a.status, rev: a.rev },
      { $set: set, $push: { history: { status: next, at: now, by: p.username, comment } } } as never,
      { returnDocument: 'after' },
    );
    if (!after) throw new DomainError(409, `alarm "${id}" changed meanwhile; reload it and try again`);
    await this.events.publish(DOMAIN_EVENTS.alarmChanged, id, toEvent(after, comment));
    await this.audit.record({
      actor: p,
      action,
      resource: 'alarms',
      resourceId: id,
      before: { status: a.status },
      after: { status: next, comment },
      scope: { operatorId: a.operatorId, agencyId: a.agencyId },
    });
    return show(after);
  }
}
