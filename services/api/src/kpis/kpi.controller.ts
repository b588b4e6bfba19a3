import { Controller, Get, Header, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import type { Principal } from '../policy/principal';
import { KpiService } from './kpi.service';

const RangeQueries = () => [
  ApiQuery({ name: 'contractId', required: true }),
  ApiQuery({ name: 'from', required: false, description: 'first service day YYYY-MM-DD (or month)' }),
  ApiQuery({ name: 'to', required: false, description: 'last service day YYYY-MM-DD, at most 366 days' }),
  ApiQuery({ name: 'month', required: false, description: 'YYYY-MM instead of from/to' }),
  ApiQuery({ name: 'zoneId', required: false }),
  ApiQuery({ name: 'serviceLine', required: false, enum: ['sanitation', 'greening', 'patrol', 'sorting'] }),
];
const apply =
  (ds: MethodDecorator[]): MethodDecorator =>
  (t, k, d) =>
    ds.forEach((x) => x(t, k, d));

/** KPIs of a contract from the rollups (docs/kpis.md); scoped like every other resource. */
@ApiTags('kpis')
@ApiBearerAuth()
@ResourceOf('kpis')
@Controller('api/kpis')
export class KpiController {
  constructor(@Inject(KpiService) private readonly kpis: KpiService) {}

  @Get()
  @Act('read')
  @ApiOperation({
    summary:
      'KPIs of a contract (optionally one zone / service line) over days, weeks, months or the whole range, with the total',
  })
  @apply(RangeQueries())
  @ApiQuery({ name: 'granularity', required: false, enum: ['day', 'week', 'month', 'total'] })
  query(@CurrentUser() p: Principal, @Query() q: Record<string, unknown>) {
    return this.kpis.query(p, q);
  }

  @Get('ranking')
  @Act('read')
  @ApiOperation({ summary: 'Zones of a contract ranked by one KPI over the range (nulls last)' })
  @apply(RangeQueries())
  @ApiQuery({ name: 'metric', required: false, description: 'a rate name, default attendanceRate' })
  @ApiQuery({ name: 'order', required: false, enum: ['desc', 'asc'] })
  ranking(@CurrentUser() p: Principal, @Query() q: Record<string, unknown>) {
    return this.kpis.ranking(p, q);
  }

  @Get('as-of')
  @Act('read')
  @ApiOperation({
    summary: "A contract's KPIs as they stood at a past moment (default range: the month of `at`)",
  })
  @ApiQuery({ name: 'at', required: true, description: 'ISO 8601 time' })
  @apply(RangeQueries())
  @ApiQuery({ name: 'granularity', required: false, enum: ['day', 'week', 'month', 'total'] })
  asOf(@CurrentUser() p: Principal, @Query() q: Record<string, unknown>) {
    return this.kpis.asOf(p, q);
  }

  @Get('export.csv')
  @Act('read')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="kpis.csv"')
  @ApiOperation({ summary: 'A KPI table as CSV: table=series (periods and total) or table=ranking' })
  @apply(RangeQueries())
  @ApiQuery({ name: 'table', required: false, enum: ['series', 'ranking'] })
  @ApiQuery({ name: 'granularity', required: false, enum: ['day', 'week', 'month', 'total'] })
  csv(@CurrentUser() p: Principal, @Query() q: Record<string, unknown>) {
    return this.kpis.csv(p, q);
  }

  @Get('export.xlsx')
  @Act('read')
  @ApiOperation({
    summary: 'The trend (sheet 趋势, with the total) and the zone ranking (sheet 网格排名) as XLSX',
  })
  @apply(RangeQueries())
  @ApiQuery({ name: 'granularity', required: false, enum: ['day', 'week', 'month', 'total'] })
  @ApiQuery({ name: 'metric', required: false, description: 'ranking metric, default attendanceRate' })
  async xlsx(
    @CurrentUser() p: Principal,
    @Query() q: Record<string, unknown>,
    @Res() res: { setHeader(n: string, v: string): void; end(b: Buffer): void },
  ) {
    const buf = await this.kpis.xlsx(p, q);
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('content-disposition', 'attachment; filename="kpis.xlsx"');
    res.end(buf);
  }
}
