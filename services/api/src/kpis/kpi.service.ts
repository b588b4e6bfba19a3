import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { KPI_LABELS_ZH, SERVICE_LINES, type KpiRates, type ServiceLine } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import { badRequest, DomainError } from '../common/domain-error';
import type { Principal } from '../policy/principal';
import { scopeFilter } from '../policy/scope';
import { MONGO } from '../tokens';
import {
  aggregate,
  parseGranularity,
  parseRange,
  rankZones,
  serviceDay,
  monthRange,
  type KpiCell,
  type KpiSeriesPoint,
} from './kpi-periods';
import { KpiReader, type KpiFilter } from './kpi.reader';

export interface ContractRef {
  _id: string;
  code?: string;
  name?: string;
  operatorId?: string;
  agencyId?: string;
}

const RANKABLE = Object.keys(KPI_LABELS_ZH) as (keyof KpiRates)[];

/** KPI queries, scoped: a contract outside the caller's tenant is a 404, as for every other resource. */
@Injectable()
export class KpiService {
  readonly reader: KpiReader;

  constructor(@Inject(MONGO) private readonly mongo: { db: Db }) {
    this.reader = new KpiReader(mongo.db);
  }

  async contract(p: Principal, contractId: unknown): Promise<ContractRef> {
    if (typeof contractId !== 'string' || !contractId) throw badRequest('contractId is required');
    const c = await this.mongo.db
      .collection<ContractRef>(COLLECTIONS.contracts)
      .findOne({ _id: contractId, ...scopeFilter(p, 'contracts') } as never);
    if (!c) throw new DomainError(404, `no contract ${contractId} within your tenant`);
    return c;
  }

  private async filter(
    p: Principal,
    q: Record<string, unknown>,
  ): Promise<{ contract: ContractRef; f: KpiFilter }> {
    const contract = await this.contract(p, q.contractId);
    const { from, to } = parseRange(q);
    const sl = q.serviceLine;
    if (sl !== undefined && sl !== '' && !SERVICE_LINES.includes(sl as ServiceLine))
      throw badRequest(`serviceLine must be one of ${SERVICE_LINES.join(', ')}`);
    const zoneId = typeof q.zoneId === 'string' && q.zoneId ? q.zoneId : undefined;
    return {
      contract,
      f: {
        contractId: contract._id,
        from,
        to,
        zoneId,
        serviceLine: (sl || undefined) as ServiceLine | undefined,
      },
    };
  }

  async query(p: Principal, q: Record<string, unknown>) {
    const { contract, f } = await this.filter(p, q);
    const granularity = parseGranularity(q.granularity);
    const rows = await this.reader.rows(f);
    return { ...header(contract, f), granularity, ...aggregate(rows, granularity) };
  }

  async ranking(p: Principal, q: Record<string, unknown>) {
    const { contract, f } = await this.filter(p, q);
    const metric = (q.metric ?? 'attendanceRate') as keyof KpiRates;
    if (!RANKABLE.includes(metric)) throw badRequest(`metric must be one of ${RANKABLE.join(', ')}`);
    const order = (q.order ?? 'desc') as 'asc' | 'desc';
    if (order !== 'asc' && order !== 'desc') throw badRequest('order must be asc or desc');
    const rows = await this.reader.rows({ ...f, zoneId: undefined });
    const zones = await this.mongo.db
      .collection(COLLECTIONS.zones)
      .find({ contractId: contract._id }, { projection: { name: 1, code: 1 } })
      .toArray();
    const names = new Map(zones.map((z) => [String(z._id), (z.name as string) ?? (z.code as string)]));
    const ranking = rankZones(rows, metric, order).map((r, i) => ({
      rank: i + 1,
      zoneName: r.zoneId ? (names.get(r.zoneId) ?? r.zoneId) : '(全合同)',
      ...r,
    }));
    return { ...header(contract, f), metric, order, ranking };
  }

  async asOf(p: Principal, q: Record<string, unknown>) {
    const at = new Date(String(q.at ?? ''));
    if (typeof q.at !== 'string' || Number.isNaN(at.getTime()))
      throw badRequest('at must be an ISO 8601 time');
    const range = q.month || q.from || q.to ? {} : monthRange(serviceDay(at).slice(0, 7));
    const { contract, f } = await this.filter(p, { ...q, ...range });
    const granularity = parseGranularity(q.granularity);
    const rows = await this.reader.rowsAsOf(f, at);
    return { ...header(contract, f), at: at.toISOString(), granularity, ...aggregate(rows, granularity) };
  }

  /** CSV of a KPI table: the trend (table=series, default) or the zone ranking (table=ranking). */
  async csv(p: Principal, q: Record<string, unknown>): Promise<string> {
    const table = q.table ?? 'series';
    if (table === 'ranking') {
      const r = await this.ranking(p, q);
      return toCsv(
        ['rank', 'zoneId', 'zoneName', ...RANKABLE],
        r.ranking.map((z) => [
          z.rank,
          z.zoneId ?? '',
          z.zoneName,
          ...RANKABLE.map((k) => z.rates[k] as number | null),
        ]),
      );
    }
    if (table !== 'series') throw badRequest('table must be series or ranking');
    const r = await this.query(p, q);
    const rows = [...r.series, { period: 'total', from: r.from, to: r.to, ...r.total } as KpiSeriesPoint];
    return toCsv(
      ['period', 'from', 'to', ...RANKABLE],
      rows.map((s) => [s.period, s.from, s.to, ...RANKABLE.map((k) => s.rates[k] as number | null)]),
    );
  }

  /** The trend (with its total) and the zone ranking of a range as one XLSX workbook. */
  async xlsx(p: Principal, q: Record<string, unknown>): Promise<Buffer> {
    const series = await this.query(p, q);
    const ranking = await this.ranking(p, q);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.creator = 'Dawuguan';
    const columns = RANKABLE.map((k) => ({
      header: KPI_LABELS_ZH[k as keyof typeof KPI_LABELS_ZH],
      key: k,
      width: 14,
    }));
    const trend = wb.addWorksheet('趋势');
    trend.columns = [
      { header: '周期', key: 'period', width: 12 },
      { header: '起', key: 'from', width: 12 },
      { header: '止', key: 'to', width: 12 },
      ...columns,
    ];
    for (const s of [...series.series, { period: '合计', from: series.from, to: series.to, ...series.total }])
      trend.addRow({
        period: s.period,
        from: s.from,
        to: s.to,
        ...Object.fromEntries(RANKABLE.map((k) => [k, s.rates[k] as number | null])),
      });
    const rank = wb.addWorksheet('网格排名');
    rank.columns = [
      { header: '名次', key: 'rank', width: 6 },
      { header: '网格', key: 'zoneName', width: 24 },
      ...columns,
    ];
    for (const z of ranking.ranking)
      rank.addRow({
        rank: z.rank,
        zoneName: z.zoneName,
        ...Object.fromEntries(RANKABLE.map((k) => [k, z.rates[k] as number | null])),
      });
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  /** Month totals per service line and overall, for the assessment and its exports. */
  async monthTable(contractId: string, month: string): Promise<{ line: string; cell: KpiCell }[]> {
    const { from, to } = monthRange(month);
    const rows = await this.reader.rows({ contractId, from, to });
    const out = SERVICE_LINES.map((line) => ({
      line,
      cell: aggregate(
        rows.filter((r) => r.serviceLine === line),
        'total',
      ).total,
    }));
    return [...out, { line: 'all', cell: aggregate(rows, 'total').total }];
  }
}

function header(contract: ContractRef, f: KpiFilter) {
  return {
    contractId: contract._id,
    contractCode: contract.code ?? null,
    zoneId: f.zoneId ?? null,
    serviceLine: f.serviceLine ?? null,
    from: f.from,
    to: f.to,
  };
}

/** RFC 4180 with a UTF-8 BOM, so spreadsheet programs read the Chinese names right. */
export function toCsv(head: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\uFEFF' + [head, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
