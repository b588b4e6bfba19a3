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
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { Db } from 'mongodb';
import { COLLECTIONS } from '@dwg/persistence';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { contentRange, findPage, parseListQuery, type ListSpec } from '../common/list-query';
import { validateDto } from '../common/validate-dto';
import type { HttpResponse } from '../http/http-types';
import type { Principal } from '../policy/principal';
import { scopeFilter, withScope } from '../policy/scope';
import { ListQueries } from '../resources/resource.controller';
import { MONGO } from '../tokens';
import { showTask } from './task-view';

export const TASK_LIST: ListSpec = {
  filters: {
    contractId: 'string',
    day: 'string',
    serviceLine: 'string',
    status: 'string',
    kind: 'string',
    zoneId: 'string',
    shiftId: 'string',
    subjectKind: 'string',
    final: 'boolean',
  },
  sortable: ['day', 'windowStart', 'windowEnd', 'status', 'kind', 'serviceLine', 'changedAt'],
  search: ['name'],
};

export class TaskPhotoDto {
  @ApiProperty({
    description: 'id of an uploaded photo (e.g. a work-order photo id)',
    example: 'photo-20251127-0001',
  })
  @IsString()
  @Length(1, 200)
  photoId!: string;
}

type TaskDoc = Record<string, unknown> & { _id: string };

@ApiTags('tasks')
@ApiBearerAuth()
@ResourceOf('tasks')
@Controller('api/tasks')
export class TasksController {
  constructor(
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  private get col() {
    return this.mongo.db.collection<TaskDoc>(COLLECTIONS.tasks);
  }

  private where(p: Principal, filter: Record<string, unknown>) {
    return withScope(filter, scopeFilter(p, 'tasks'));
  }

  @Get()
  @Act('read')
  @ApiOperation({
    summary:
      'Tasks generated from shifts (scoped to your tenant), with status and evidence metrics; filter by contractId, day (YYYY-MM-DD), serviceLine, status, kind…',
  })
  @ListQueries()
  async list(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const query = parseListQuery(TASK_LIST, q);
    const where = this.where(p, query.filter);
    const { rows, total } = await findPage(this.col, where, query);
    res.setHeader('Content-Range', contentRange('tasks', query.start, rows.length, total));
    return rows.map((r) => showTask(r, false));
  }

  @Get(':id')
  @Act('read')
  @ApiOperation({ summary: 'One task with its geometry and evidence summary' })
  async get(@CurrentUser() p: Principal, @Param('id') id: string) {
    const t = await this.col.findOne(this.where(p, { _id: id }));
    if (!t) throw new NotFoundException(`task "${id}" not found`);
    return showTask(t, true);
  }

  @Post(':id/photos')
  @HttpCode(200)
  @Act('write')
  @ApiOperation({
    summary:
      'Attach a photo reference to a greening task; a task that requires a photo completes only with one (the worker re-evaluates it within a minute)',
  })
  @ApiBody({ type: TaskPhotoDto })
  async attachPhoto(@CurrentUser() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    const dto = validateDto(TaskPhotoDto, body);
    const t = await this.col.findOne(this.where(p, { _id: id }));
    if (!t) throw new NotFoundException(`task "${id}" not found`);
    if (t.kind !== 'greening')
      throw new DomainError(409, `task "${id}" is a ${String(t.kind)} task; only greening tasks take photos`);
    const after = await this.col.findOneAndUpdate(
      { _id: id },
      { $addToSet: { photoIds: dto.photoId }, $set: { recheck: true } } as never,
      { returnDocument: 'after' },
    );
    await this.audit.record({
      actor: p,
      action: 'attach-photo',
      resource: 'tasks',
      resourceId: id,
      before: { photoIds: t.photoIds ?? [] },
      after: { photoIds: after?.photoIds ?? [] },
      scope: { operatorId: t.operatorId, agencyId: t.agencyId },
    });
    return showTask(after ?? t, true);
  }
}
