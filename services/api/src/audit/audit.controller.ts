import { Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpResponse } from '../http/http-types';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import { contentRange, parseListQuery, type ListSpec } from '../common/list-query';
import type { Principal } from '../policy/principal';
import { scopeFilter, withScope } from '../policy/scope';
import { ListQueries } from '../resources/resource.controller';
import { AuditService } from './audit.service';
import type { AuditEntry } from './audit-chain';

export const AUDIT_LIST: ListSpec = {
  filters: {
    resource: 'string',
    resourceId: 'string',
    action: 'string',
    'actor.id': 'string',
    'actor.username': 'string',
    seq: 'number',
  },
  sortable: ['seq', 'at'],
  timeRanges: ['at'],
};

const show = ({ _id, ...rest }: AuditEntry) => ({ id: _id, ...rest });

@ApiTags('audit-log')
@ApiBearerAuth()
@ResourceOf('audit-log')
@Controller('api/audit-log')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  @Act('read')
  @ApiOperation({
    summary:
      'Audit entries of your tenant: who changed what, when, before and after (filter at_gte/at_lte spans at most 31 days)',
  })
  @ListQueries()
  async list(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res({ passthrough: true }) res: HttpResponse,
  ) {
    const query = parseListQuery(AUDIT_LIST, q);
    // `at` is stored as an ISO string (it is hashed as such): compare as strings.
    const filter = JSON.parse(JSON.stringify(query.filter)) as Record<string, unknown>;
    const where = withScope(filter, scopeFilter(p, 'audit-log'));
    const sort = '_id' in query.sort ? { seq: query.sort._id } : query.sort;
    const { rows, total } = await this.audit.repo.list(where, sort, query.skip, query.limit);
    res.setHeader('Content-Range', contentRange('audit-log', query.start, rows.length, total));
    return rows.map(show);
  }

  @Get('verify')
  @Act('read')
  @ApiOperation({ summary: 'Walk the whole hash chain and report the first broken link' })
  verify() {
    return this.audit.verify();
  }

  @Get(':id')
  @Act('read')
  @ApiOperation({ summary: 'One audit entry' })
  async get(@CurrentUser() p: Principal, @Param('id') id: string) {
    const e = await this.audit.repo.findOne(withScope({ _id: id }, scopeFilter(p, 'audit-log')));
    if (!e) throw new NotFoundException(`audit entry "${id}" not found`);
    return show(e);
  }
}
