import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { KPI_LABELS_ZH, RATE_NAMES, type KpiRates } from '@dwg/contracts';
import { DomainError } from '../common/domain-error';
import type { AssessmentDoc } from './assessment.service';

/** Exports of an assessment a reviewer takes away: XLSX (exceljs) and a Chinese PDF report (pdfkit). */

const LINE_ZH: Record<string, string> = {
  sanitation: '市容环卫',
  greening: '绿化养护',
  patrol: '综合巡查',
  sorting: '垃圾分类',
  all: '合计',
};
const STATUS_ZH = { draft: '草稿', approved: '已审定' } as const;
const APPEAL_ZH = { pending: '申诉中', accepted: '申诉成立', rejected: '申诉驳回' } as const;
const KPI_COLUMNS = Object.keys(KPI_LABELS_ZH) as (keyof typeof KPI_LABELS_ZH)[];

const fmt = (k: string, v: unknown) =>
  v === null || v === undefined
    ? '—'
    : (RATE_NAMES as readonly string[]).includes(k)
      ? `${(Number(v) * 100).toFixed(1)}%`
      : String(v);

export async function assessmentXlsx(a: AssessmentDoc): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Dawuguan';
  wb.created = new Date(a.computedAt);
  const sum = wb.addWorksheet('考核汇总');
  sum.columns = [
    { header: '项目', key: 'k', width: 24 },
    { header: '值', key: 'v', width: 40 },
  ];
  sum.addRows([
    { k: '合同', v: `${a.contractCode ?? a.contractId} ${a.contractName ?? ''}`.trim() },
    { k: '考核月份', v: a.month },
    { k: '状态', v: STATUS_ZH[a.status] },
    { k: '扣分合计', v: a.totalDeduction },
    { k: '总分', v: a.score },
    { k: '内容哈希 (SHA-256)', v: a.contentHash ?? '' },
  ]);
  sum.addRow([]);
  sum.addRow(['扣分规则', '条数 / 扣分（封顶）']);
  for (const s of a.subtotals)
    sum.addRow([s.label, `${s.count} 条 / ${s.points}${s.cap !== null ? `（封顶 ${s.cap}）` : ''}`]);

  const ded = wb.addWorksheet('扣分明细');
  ded.columns = [
    { header: '编号', key: 'id', width: 40 },
    { header: '规则', key: 'label', width: 18 },
    { header: '日期', key: 'day', width: 12 },
    { header: '网格', key: 'zoneId', width: 16 },
    { header: '服务线', key: 'line', width: 10 },
    { header: '对象', key: 'entity', width: 28 },
    { header: '数量', key: 'quantity', width: 8 },
    { header: '单位', key: 'unit', width: 8 },
    { header: '扣分', key: 'points', width: 8 },
    { header: '申诉', key: 'appeal', width: 12 },
    { header: '证据', key: 'evidence', width: 60 },
  ];
  for (const d of a.deductions)
    ded.addRow({
      id: d.id,
      label: d.label,
      day: d.day,
      zoneId: d.zoneId ?? '',
      line: LINE_ZH[d.serviceLine] ?? d.serviceLine,
      entity: `${d.entityKind} ${d.entityId}`,
      quantity: d.quantity,
      unit: d.unit,
      points: d.appeal?.status === 'accepted' ? 0 : d.points,
      appeal: d.appeal ? APPEAL_ZH[d.appeal.status] : '',
      evidence: d.evidence.map((e) => e.href).join('\n'),
    });

  const kpi = wb.addWorksheet('KPI指标');
  kpi.columns = [
    { header: '服务线', key: 'line', width: 12 },
    ...KPI_COLUMNS.map((k) => ({ header: KPI_LABELS_ZH[k], key: k, width: 14 })),
  ];
  for (const { line, cell } of a.kpis)
    kpi.addRow({
      line: LINE_ZH[line] ?? line,
      ...Object.fromEntries(KPI_COLUMNS.map((k) => [k, cell.rates[k as keyof KpiRates] as number | null])),
    });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The font file for Chinese text: PDF_FONT_FILE, else a known system font; none is a 503 naming the package. */
export function findCjkFont(configured: string): string {
  const candidates = [
    configured,
    '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
    '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
    '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  ].filter(Boolean);
  const f = candidates.find((c) => existsSync(c));
  if (!f)
    throw new DomainError(
      503,
      'no Chinese font on the server for PDF reports: install fonts-wqy-microhei (apt-get) or set PDF_FONT_FILE',
    );
  return f;
}

const TTC_FACES: Record<string, string> = {
  'wqy-microhei.ttc': 'WenQuanYiMicroHei',
  'wqy-zenhei.ttc': 'WenQuanYiZenHei',
  'NotoSansCJK-Regular.ttc': 'NotoSansCJKsc-Regular',
};

export function assessmentPdf(a: AssessmentDoc, fontFile: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `考核报告 ${a.contractCode ?? a.contractId} ${a.month}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((res) => doc.on('end', () => res(Buffer.concat(chunks))));
  // A collection (.ttc) needs the PostScript name of the face inside it.
  const face = Object.entries(TTC_FACES).find(([file]) => fontFile.endsWith(file))?.[1];
  doc.registerFont('cjk', fontFile, face);
  doc.font('cjk');

  doc.fontSize(20).text(`合同月度考核报告`, { align: 'center' });
  doc.moveDown(0.5).fontSize(12);
  doc.text(`合同：${a.contractCode ?? a.contractId} ${a.contractName ?? ''}`);
  doc.text(`考核月份：${a.month}    状态：${STATUS_ZH[a.status]}`);
  doc.text(`扣分合计：${a.totalDeduction}`);
  doc.fontSize(16).text(`总分：${a.score}`);
  doc
    .fontSize(9)
    .fillColor('#555')
    .text(`内容哈希 SHA-256：${a.contentHash ?? '（未审定）'}`)
    .fillColor('black');
  doc.moveDown();

  // Chart 1: deductions per rule (horizontal bars).
  doc.fontSize(13).text('各规则扣分');
  barChart(
    doc,
    a.subtotals.map((s) => ({ label: s.label, value: s.points, text: String(s.points) })),
    Math.max(1, ...a.subtotals.map((s) => s.points)),
  );
  doc.moveDown();

  // Chart 2: the month's rates overall.
  const all = a.kpis.find((k) => k.line === 'all')?.cell.rates;
  doc.fontSize(13).text('本月主要指标（合计）');
  barChart(
    doc,
    RATE_NAMES.map((k) => ({ label: KPI_LABELS_ZH[k], value: all?.[k] ?? 0, text: fmt(k, all?.[k]) })),
    1,
  );

  doc.addPage();
  doc.fontSize(13).text('分服务线指标');
  doc.fontSize(9);
  for (const { line, cell } of a.kpis) {
    doc
      .moveDown(0.3)
      .fontSize(10)
      .text(LINE_ZH[line] ?? line, { underline: true })
      .fontSize(9);
    doc.text(
      KPI_COLUMNS.map((k) => `${KPI_LABELS_ZH[k]} ${fmt(k, cell.rates[k as keyof KpiRates])}`).join('；'),
    );
  }

  doc.addPage();
  doc.fontSize(13).text(`扣分明细（${a.deductions.length} 条）`);
  doc.fontSize(8);
  for (const d of a.deductions) {
    if (doc.y > 760) doc.addPage();
    const appeal = d.appeal ? `  [${APPEAL_ZH[d.appeal.status]}]` : '';
    doc.text(
      `${d.day}  ${d.label}  ${d.entityKind} ${d.entityId}  ${d.quantity}${d.unit}  扣 ${d.appeal?.status === 'accepted' ? 0 : d.points} 分${appeal}`,
    );
    doc
      .fillColor('#336')
      .text(`    证据：${d.evidence.map((e) => e.href).join('  ')}`)
      .fillColor('black');
  }
  doc.moveDown().fontSize(11).text(`扣分合计 ${a.totalDeduction}，总分 ${a.score}`);
  doc.end();
  return done;
}

function barChart(
  doc: PDFKit.PDFDocument,
  bars: { label: string; value: number; text: string }[],
  max: number,
) {
  const x0 = 170;
  const width = 300;
  let y = doc.y + 4;
  doc.fontSize(9);
  for (const b of bars) {
    const w = Math.max(0, Math.min(1, b.value / max)) * width;
    doc.fillColor('black').text(b.label, 50, y + 1, { width: 115, align: 'right' });
    doc.rect(x0, y, width, 12).strokeColor('#ccc').stroke();
    if (w > 0) doc.rect(x0, y, w, 12).fillColor('#3a7bd5').fill();
    doc.fillColor('black').text(b.text, x0 + width + 6, y + 1);
    y += 17;
  }
  doc.x = 50;
  doc.y = y + 4;
}
