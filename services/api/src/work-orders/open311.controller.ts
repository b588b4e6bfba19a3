import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { categoryByCode, OPEN_STATES, type WorkOrderDoc, type WorkOrderState } from '@dwg/contracts';
import { Public } from '../auth/decorators';
import { DomainError } from '../common/domain-error';
import {
  open311Request,
  open311ServiceDefinition,
  open311Services,
  parseOpen311Post,
  toXml,
  toXmlDoc,
  type Open311Problem,
} from './open311';
import type { UploadedFile } from './photos';
import { WorkOrderService } from './work-order.service';

interface Reply {
  status(code: number): Reply;
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

type Format = 'json' | 'xml';

/** `requests.xml` → ['requests', 'xml']; no extension is JSON. */
function splitFormat(file: string): [string, Format] | null {
  const m = /^(.+?)(?:\.(json|xml))?$/.exec(file);
  return m ? [m[1], (m[2] as Format | undefined) ?? 'json'] : null;
}

const ITEM: Record<string, [string, string]> = {
  services: ['services', 'service'],
  service_definition: ['service_definition', 'service_definition'],
  requests: ['service_requests', 'request'],
  errors: ['errors', 'error'],
};

function send(res: Reply, format: Format, kind: keyof typeof ITEM, body: object | object[], status = 200) {
  res.status(status);
  if (format === 'xml') {
    res.setHeader('Content-Type', 'text/xml; charset=utf-8');
    const [root, item] = ITEM[kind];
    if (kind === 'service_definition')
      res.send(toXmlDoc({ service_definition: { ...body, attributes: '' } }));
    else res.send(toXml(root, item, Array.isArray(body) ? body : [body]));
  } else {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(JSON.stringify(body));
  }
}

const fail = (res: Reply, format: Format, status: number, problems: Open311Problem[] | string) =>
  send(
    res,
    format,
    'errors',
    typeof problems === 'string' ? [{ code: status, description: problems }] : problems,
    status,
  );

/**
 * Open311 GeoReport v2 (public): discovery of services, their definitions, reading requests, and POST with an
 * api_key issued per integration (the 12345 hotline bridge, civic apps). Reads need no key: requests are public
 * civic data without the reporter's contact details.
 */
@ApiTags('open311')
@Public()
@Controller('open311/v2')
export class Open311Controller {
  constructor(@Inject(WorkOrderService) private readonly svc: WorkOrderService) {}

  @Get(':file')
  @ApiOperation({
    summary:
      'services.{json|xml} (list of services) or requests.{json|xml} (service_request_id, service_code, start_date, end_date, status)',
  })
  async root(@Param('file') file: string, @Query() q: Record<string, string>, @Res() res: Reply) {
    const sf = splitFormat(file);
    if (!sf) return fail(res, 'json', 404, `no such resource "${file}"`);
    const [name, format] = sf;
    if (name === 'services') return send(res, format, 'services', open311Services());
    if (name !== 'requests') return fail(res, format, 404, `no such resource "${file}"`);
    const filter: Record<string, unknown> = {};
    const problems: Open311Problem[] = [];
    if (q.service_request_id) filter._id = { $in: q.service_request_id.split(',').map((s) => s.trim()) };
    if (q.service_code) filter.category = { $in: q.service_code.split(',').map((s) => s.trim()) };
    if (q.status) {
      const st = q.status.split(',').map((s) => s.trim());
      if (st.some((s) => s !== 'open' && s !== 'closed'))
        problems.push({ code: 400, description: 'status must be open, closed or open,closed' });
      else if (st.length === 1)
        filter.state = st[0] === 'open' ? { $in: [...OPEN_STATES] } : { $nin: [...OPEN_STATES] };
    }
    const range: Record<string, string> = {};
    for (const [k, op] of [
      ['start_date', '$gte'],
      ['end_date', '$lte'],
    ] as const) {
      if (!q[k]) continue;
      const t = Date.parse(q[k]);
      if (Number.isNaN(t)) problems.push({ code: 400, description: `${k} must be a w3 date-time` });
      else range[op] = new Date(t).toISOString();
    }
    if (Object.keys(range).length) filter.reportedAt = range;
    else if (!q.service_request_id)
      filter.reportedAt = { $gte: new Date(Date.now() - 90 * 86_400_000).toISOString() };
    if (problems.length) return fail(res, format, 400, problems);
    const rows = await this.svc.publicList(filter, 1000);
    return send(res, format, 'requests', await this.views(rows as WorkOrderDoc[]));
  }

  @Get('services/:file')
  @ApiOperation({ summary: 'Service definition: services/{service_code}.{json|xml}' })
  definition(@Param('file') file: string, @Res() res: Reply) {
    const [code, format] = splitFormat(file) ?? [file, 'json'];
    const d = open311ServiceDefinition(code);
    if (!d) return fail(res, format, 404, `no service "${code}"`);
    return send(res, format, 'service_definition', d);
  }

  @Get('requests/:file')
  @ApiOperation({ summary: 'One request: requests/{service_request_id}.{json|xml}' })
  async one(@Param('file') file: string, @Res() res: Reply) {
    const [id, format] = splitFormat(file) ?? [file, 'json'];
    const o = await this.svc.publicGet(id);
    if (!o) return fail(res, format, 404, `no service request "${id}"`);
    return send(res, format, 'requests', await this.views([o as WorkOrderDoc]));
  }

  @Get('tokens/:file')
  @ApiOperation({ summary: 'Request id from a token: tokens/{token}.{json|xml}' })
  async token(@Param('file') file: string, @Res() res: Reply) {
    const [token, format] = splitFormat(file) ?? [file, 'json'];
    const o = await this.svc.byToken(token);
    if (!o) return fail(res, format, 404, `no request for token "${token}"`);
    return send(res, format, 'requests', [{ service_request_id: o._id, token }]);
  }

  @Post(':file')
  @UseInterceptors(FilesInterceptor('media', 9, { limits: { fileSize: 10 * 1024 * 1024 + 1, files: 9 } }))
  @ApiConsumes('application/x-www-form-urlencoded', 'multipart/form-data')
  @ApiOperation({
    summary:
      'Create a request: requests.{json|xml} with api_key, service_code, lat, long, description, address_string, email, first_name, last_name, phone, media_url; photos as multipart `media`',
  })
  async create(
    @Param('file') file: string,
    @Body() body: Record<string, unknown>,
    @UploadedFiles() files: UploadedFile[] = [],
    @Res() res: Reply,
  ) {
    const [name, format] = splitFormat(file) ?? [file, 'json'];
    if (name !== 'requests') return fail(res, format, 404, `cannot POST "${file}"`);
    const b = body ?? {};
    const integration = await this.svc.integration(typeof b.api_key === 'string' ? b.api_key : '');
    if (!integration) return fail(res, format, 403, 'api_key is missing or not valid');
    const parsed = parseOpen311Post(b);
    if (!parsed.ok) return fail(res, format, 400, parsed.problems);
    const r = parsed.report;
    if (!categoryByCode(r.category)?.code && r.category.length > 60)
      return fail(res, format, 400, 'service_code is too long');
    const token = this.svc.newToken();
    try {
      const o = await this.svc.createOrder(
        {
          category: r.category,
          description: r.description,
          lng: r.lng,
          lat: r.lat,
          address: r.address,
          source: 'open311',
          reporter: { kind: 'open311', integrationId: String(integration._id), contact: r.contact },
          fallbackTenant: {
            operatorId: (integration.operatorId as string | undefined) ?? null,
            agencyId: (integration.agencyId as string | undefined) ?? null,
          },
          files: files ?? [],
          minPhotos: 0,
          token,
          mediaUrl: r.mediaUrl,
        },
        { id: `open311:${String(integration._id)}`, username: String(integration.name), role: 'open311' },
      );
      return send(res, format, 'requests', [
        {
          service_request_id: o._id,
          token,
          service_notice:
            o.state === 'screening' ? 'Waiting for a dispatcher' : 'Assigned to the responsible team',
          account_id: '',
        },
      ]);
    } catch (e) {
      if (e instanceof DomainError)
        return fail(
          res,
          format,
          e.status,
          [e.messages].flat().map((d) => ({ code: e.status, description: d })),
        );
      throw e;
    }
  }

  private async views(rows: WorkOrderDoc[]) {
    const names = await this.svc.names({
      agencyIds: [...new Set(rows.map((r) => r.agencyId).filter((x): x is string => !!x))],
      teamIds: [...new Set(rows.map((r) => r.teamId).filter((x): x is string => !!x))],
    });
    return rows.map((o) =>
      open311Request({
        ...o,
        state: o.state as WorkOrderState,
        agencyName: o.agencyId ? names.agency.get(o.agencyId) : null,
        teamName: o.teamId ? names.team.get(o.teamId) : null,
      }),
    );
  }
}
