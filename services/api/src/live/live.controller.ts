import {
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Act, CurrentUser, QueryToken, ResourceOf } from '../auth/decorators';
import { AuthService } from '../auth/auth.service';
import { badRequest } from '../common/domain-error';
import { ApiConfig } from '../config';
import type { Principal } from '../policy/principal';
import { scopeFilter } from '../policy/scope';
import { LiveHub } from './live-hub';
import { assembleSnapshot } from './live-snapshot';
import { LIVE_STATUSES } from './live-status';
import { detectStops, parseTrackQuery, simplifyTrack, speedSeries, trackLengthM } from './track';

@ApiTags('live')
@ApiBearerAuth()
@ResourceOf('live')
@Controller('api/live')
export class LiveController {
  constructor(
    @Inject(LiveHub) private readonly hub: LiveHub,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(ApiConfig) private readonly config: ApiConfig,
  ) {}

  @Get('snapshot')
  @Act('read')
  @ApiOperation({
    summary:
      'Every vehicle terminal and badge in your scope with its last position, speed, battery, status (working, idle, offline, alarm), current task and open alarm count',
  })
  @ApiQuery({ name: 'contractId', required: false })
  @ApiQuery({ name: 'kind', required: false, enum: ['gps', 'badge'] })
  @ApiQuery({ name: 'status', required: false, enum: LIVE_STATUSES })
  async snapshot(
    @CurrentUser() p: Principal,
    @Query('contractId') contractId?: string,
    @Query('kind') kind?: string,
    @Query('status') status?: string,
  ) {
    if (kind !== undefined && kind !== 'gps' && kind !== 'badge')
      throw badRequest('kind must be gps or badge');
    if (status !== undefined && !(LIVE_STATUSES as readonly string[]).includes(status))
      throw badRequest(`status must be one of ${LIVE_STATUSES.join(', ')}`);
    const scope = scopeFilter(p, 'live');
    const now = Date.now();
    const devices = await this.hub.repo.devices(scope, {
      ...(contractId ? { contractId } : {}),
      ...(kind ? { kind } : {}),
    });
    const inputs = await this.hub.repo.snapshotInputs(devices, scope, now);
    const items = assembleSnapshot(inputs, now, {
      offlineAfterMs: this.config.LIVE_OFFLINE_AFTER_S * 1000,
      movingKmh: this.config.LIVE_MOVING_KMH,
    });
    return {
      at: new Date(now).toISOString(),
      offlineAfterS: this.config.LIVE_OFFLINE_AFTER_S,
      items: status ? items.filter((i) => i.status === status) : items,
    };
  }

  @Post('ticket')
  @HttpCode(200)
  @Act('read')
  @ApiOperation({
    summary:
      'A 60-second ticket for ?access_token= on the stream (EventSource cannot send an Authorization header)',
  })
  ticket(@CurrentUser() p: Principal) {
    return this.auth.streamTicket(p);
  }

  @Get('stream')
  @Act('read')
  @QueryToken()
  @ApiProduces('text/event-stream')
  @ApiQuery({
    name: 'access_token',
    required: false,
    description:
      'a ticket from POST /api/live/ticket (or an access token) when no Authorization header can be sent',
  })
  @ApiOperation({
    summary:
      'Server-sent events of your scope: `position` {positions: [...]} after each stored ingest batch, `status` {statuses: [...]} on online/offline messages, `alarm` on alarm changes; a comment every 15 s',
  })
  stream(@CurrentUser() p: Principal, @Req() req: IncomingMessage, @Res() res: ServerResponse) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const write = (text: string) => {
      if (!res.writableEnded && !res.destroyed) res.write(text);
    };
    const send = (event: string, data: unknown) =>
      write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 3000\n\n');
    const remove = this.hub.add({ principal: p, send, end: () => res.end() });
    send('ready', { at: new Date().toISOString(), user: p.username });
    const heartbeat = setInterval(
      () => write(`: heartbeat ${Date.now()}\n\n`),
      this.config.LIVE_HEARTBEAT_MS,
    );
    const close = () => {
      clearInterval(heartbeat);
      remove();
    };
    req.on('close', close);
    res.on('error', close);
  }
}

@ApiTags('live')
@ApiBearerAuth()
@ResourceOf('live')
@Controller('api/tracks')
export class TracksController {
  constructor(
    @Inject(LiveHub) private readonly hub: LiveHub,
    @Inject(ApiConfig) private readonly config: ApiConfig,
  ) {}

  @Get(':deviceId')
  @Act('read')
  @ApiOperation({
    summary:
      'Track playback of one device: its fixes in [from, to] simplified for drawing (Douglas–Peucker, tolerance in metres), stops, and per-fix speed; raw=1 adds every fix',
  })
  @ApiQuery({ name: 'from', description: 'ISO 8601 time or epoch ms' })
  @ApiQuery({
    name: 'to',
    description: 'ISO 8601 time or epoch ms; at most TRACK_MAX_RANGE_H (24 h) after from',
  })
  @ApiQuery({
    name: 'tolerance',
    required: false,
    description: 'metres, 0–1000 (default 5; 0 = no simplification)',
  })
  @ApiQuery({
    name: 'stopMin',
    required: false,
    description: 'minutes stationary that make a stop (default 5)',
  })
  @ApiQuery({ name: 'raw', required: false, description: '1: include every fix' })
  @ApiOkResponse({
    description: '{deviceId, kind, from, to, count, truncated, lengthM, simplified, stops, speeds, raw?}',
  })
  @ApiBadRequestResponse({ description: 'missing or bad from/to, range over the limit, bad tolerance' })
  @ApiNotFoundResponse({ description: 'no such device within your tenant' })
  async track(
    @CurrentUser() p: Principal,
    @Param('deviceId') deviceId: string,
    @Query() q: Record<string, unknown>,
  ) {
    const query = parseTrackQuery(q, this.config.TRACK_MAX_RANGE_H);
    const device = await this.hub.repo.device(deviceId, scopeFilter(p, 'live'));
    if (!device) throw new NotFoundException(`device "${deviceId}" not found`);
    const limit = this.config.TRACK_MAX_POINTS;
    const points = await this.hub.repo.track(deviceId, query.from, query.to, limit);
    const simplified = simplifyTrack(points, query.toleranceM);
    return {
      deviceId,
      kind: device.kind,
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      tolerance: query.toleranceM,
      count: points.length,
      // The window holds more fixes than one response carries: ask again from the last fix's time.
      truncated: points.length === limit,
      lengthM: trackLengthM(points),
      simplified,
      stops: detectStops(points, { minDurationMs: query.stopMin * 60_000, radiusM: 25 }),
      speeds: speedSeries(points),
      ...(query.raw ? { raw: points } : {}),
    };
  }
}
