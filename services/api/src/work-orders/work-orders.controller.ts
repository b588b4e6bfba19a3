import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { TRANSITIONS, WORK_ORDER_ACTIONS, WORK_ORDER_CATEGORIES } from '@dwg/contracts';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import { badRequest } from '../common/domain-error';
import { contentRange } from '../common/list-query';
import type { HttpResponse } from '../http/http-types';
import type { Principal } from '../policy/principal';
import { ListQueries } from '../resources/resource.controller';
import type { UploadedFile } from './photos';
import { WorkOrderService } from './work-order.service';

/** Multer keeps photos in memory (at most 9, each limited) so their content can be sniffed before storing. */
const photos = () =>
  FilesInterceptor('photos', 9, {
    limits: { fileSize: Number(process.env.WO_PHOTO_MAX_BYTES ?? 10 * 1024 * 1024) + 1, files: 9 },
  });

const REPORT_SCHEMA = {
  schema: {
    type: 'object',
    required: ['category', 'lng', 'lat', 'photos'],
    properties: {
      category: {
        type: 'string',
        enum: WORK_ORDER_CATEGORIES.filter((c) => !c.fromAlarm).map((c) => c.code),
      },
      lng: { type: 'number' },
      lat: { type: 'number' },
      description: { type: 'string' },
      address: { type: 'string' },
      source: { type: 'string', enum: ['staff', 'resident'] },
      photos: { type: 'array', items: { type: 'string', format: 'binary' }, minItems: 1, maxItems: 9 },
    },
  },
};

@ApiTags('work-orders')
@ApiBearerAuth()
@ResourceOf('work-orders')
@Controller('api/work-orders')
export class WorkOrdersController {
  constructor(@Inject(WorkOrderService) private readonly svc: WorkOrderService) {}

  @Get()
  @Act('read')
  @ApiOperation({
    summary: 'List work orders in your scope (and your own reports); Content-Range gives the total',
  })
  @ListQueries()
  async list(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const { rows, total, start } = await this.svc.list(p, q);
    res.setHeader('Content-Range', contentRange('work-orders', start, rows.length, total));
    return rows;
  }

  @Get('duplicates')
  @Act('read')
  @ApiOperation({
    summary: 'Open reports of the same category near a point: offer them before creating a report',
  })
  @ApiQuery({ name: 'category' })
  @ApiQuery({ name: 'lng' })
  @ApiQuery({ name: 'lat' })
  duplicates(
    @CurrentUser() p: Principal,
    @Query('category') category?: string,
    @Query('lng') lng?: string,
    @Query('lat') lat?: string,
  ) {
    const x = Number(lng);
    const y = Number(lat);
    if (!category || !lng || !lat || !Number.isFinite(x) || !Number.isFinite(y))
      throw badRequest('category, lng and lat are required (lng, lat as numbers)');
    return this.svc.scopedDuplicates(p, category, x, y);
  }

  @Get('notifications')
  @Act('read')
  @ApiOperation({ summary: 'Yellow and red card notices of the work orders in your scope, newest first' })
  @ListQueries()
  async notifications(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const { rows, total, start } = await this.svc.notifications(p, q);
    res.setHeader('Content-Range', contentRange('notifications', start, rows.length, total));
    return rows;
  }

  @Get(':id')
  @Act('read')
  @ApiOperation({
    summary: 'One work order with its history, photos, close-out check and the actions you may take',
  })
  get(@CurrentUser() p: Principal, @Param('id') id: string) {
    return this.svc.get(p, id);
  }

  @Post()
  @Act('write')
  @UseInterceptors(photos())
  @ApiConsumes('multipart/form-data')
  @ApiBody(REPORT_SCHEMA)
  @ApiOperation({
    summary:
      'Report a problem (multipart: category, lng, lat, description, 1–9 photos as JPEG/PNG/HEIC). It is placed in its zone and routed to a team, or waits in screening',
  })
  async create(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @UploadedFiles() files: UploadedFile[] = [],
  ) {
    const o = await this.svc.report(p, body ?? {}, files ?? []);
    const dup = await this.svc.scopedDuplicates(p, o.category, o.location.lng, o.location.lat);
    return { ...this.svc.serialize(o, p), possibleDuplicates: dup.filter((d) => d.id !== o._id) };
  }

  @Post(':id/actions/:action')
  @Act('write')
  @HttpCode(200)
  @UseInterceptors(photos())
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    summary: `Lifecycle action: ${WORK_ORDER_ACTIONS.map((a) => `${a} (${TRANSITIONS[a].from.join('|')} → ${TRANSITIONS[a].to}; ${TRANSITIONS[a].roles.join(', ')})`).join('; ')}. resolve is multipart with 1–9 result photos`,
  })
  @ApiConflictResponse({ description: 'illegal in the current state; the message names the allowed actions' })
  act(
    @CurrentUser() p: Principal,
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: Record<string, unknown>,
    @UploadedFiles() files: UploadedFile[] = [],
  ) {
    const b = { ...(body ?? {}) };
    // multipart fields arrive as text
    if (typeof b.fixed === 'string')
      b.fixed = b.fixed === 'true' ? true : b.fixed === 'false' ? false : b.fixed;
    if (typeof b.rating === 'string' && /^\d+$/.test(b.rating)) b.rating = Number(b.rating);
    return this.svc.act(p, id, action, b, files ?? []);
  }

  @Get(':id/photos/:photoId')
  @Act('read')
  @ApiOperation({ summary: 'A photo of the order, as stored (GridFS)' })
  async photo(
    @CurrentUser() p: Principal,
    @Param('id') id: string,
    @Param('photoId') photoId: string,
    @Res() res: HttpResponse & NodeJS.WritableStream,
  ) {
    if (!/^[0-9a-f]{24}$/.test(photoId)) throw badRequest('photoId must be a 24-hex id');
    const { photo, stream } = await this.svc.openPhoto(p, id, photoId);
    res.setHeader('Content-Type', photo.contentType);
    res.setHeader('Content-Length', String(photo.size));
    // A missing chunk surfaces after the headers: end the response rather than crash the process.
    stream.once('error', () => (res as unknown as { destroy(): void }).destroy());
    stream.pipe(res);
  }
}

@ApiTags('work-orders')
@ApiBearerAuth()
@ResourceOf('categories')
@Controller('api/categories')
export class CategoriesController {
  @Get()
  @Act('read')
  @ApiOperation({
    summary: 'Work-order categories with their service line and default deadlines (working minutes)',
  })
  list(@Res({ passthrough: true }) res: HttpResponse) {
    const rows = WORK_ORDER_CATEGORIES.map((c) => ({ id: c.code, ...c }));
    res.setHeader('Content-Range', contentRange('categories', 0, rows.length, rows.length));
    return rows;
  }
}

@ApiTags('work-orders')
@ApiBearerAuth()
@ResourceOf('calendars')
@Controller('api/calendars')
export class CalendarsController {
  constructor(@Inject(WorkOrderService) private readonly svc: WorkOrderService) {}

  @Get()
  @Act('read')
  @ApiOperation({ summary: 'Work calendars of the contracts in your scope (id = contract id)' })
  async list(@CurrentUser() p: Principal, @Res({ passthrough: true }) res: HttpResponse) {
    const rows = await this.svc.listCalendars(p);
    res.setHeader('Content-Range', contentRange('calendars', 0, rows.length, rows.length));
    return rows;
  }

  @Get(':contractId')
  @Act('read')
  @ApiOperation({
    summary: 'The calendar of a contract: working days and hours, holidays, pauses, deadlines',
  })
  get(@CurrentUser() p: Principal, @Param('contractId') id: string) {
    return this.svc.getCalendar(p, id);
  }

  @Put(':contractId')
  @Act('write')
  @ApiOperation({
    summary:
      'Set working days/hours, holidays, make-up days and per-category deadlines {dueMin, redMin} (managers); deadlines of open orders are recomputed',
  })
  put(@CurrentUser() p: Principal, @Param('contractId') id: string, @Body() body: Record<string, unknown>) {
    return this.svc.putCalendar(p, id, body ?? {});
  }

  @Post(':contractId/pauses')
  @Act('write')
  @ApiOperation({
    summary: 'Declare a pause {reason, from?, to?} (e.g. typhoon warning); open-ended without `to`',
  })
  pause(@CurrentUser() p: Principal, @Param('contractId') id: string, @Body() body: Record<string, unknown>) {
    return this.svc.addPause(p, id, body ?? {});
  }

  @Post(':contractId/pauses/:pauseId/end')
  @Act('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a pause now; deadlines resume' })
  endPause(@CurrentUser() p: Principal, @Param('contractId') id: string, @Param('pauseId') pauseId: string) {
    return this.svc.endPause(p, id, pauseId);
  }
}

@ApiTags('work-orders')
@ApiBearerAuth()
@ResourceOf('routing-rules')
@Controller('api/routing-rules')
export class RoutingRulesController {
  constructor(@Inject(WorkOrderService) private readonly svc: WorkOrderService) {}

  @Get(':contractId')
  @Act('read')
  @ApiOperation({ summary: 'Routing rules of a contract: [{category, teamId, zoneId?}]' })
  get(@CurrentUser() p: Principal, @Param('contractId') id: string) {
    return this.svc.getRouting(p, id);
  }

  @Put(':contractId')
  @Act('write')
  @ApiOperation({
    summary: 'Replace the routing rules of a contract (a zone rule beats a contract-wide one)',
  })
  put(@CurrentUser() p: Principal, @Param('contractId') id: string, @Body() body: Record<string, unknown>) {
    return this.svc.putRouting(p, id, body ?? {});
  }
}
