import { Button, Stack, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import {
  AutocompleteInput,
  Datagrid,
  FunctionField,
  Labeled,
  List,
  NumberField,
  ReferenceField,
  ReferenceInput,
  Show,
  SimpleShowLayout,
  TextField,
  TextInput,
  TopToolbar,
  useNotify,
  usePermissions,
  useRecordContext,
  useTranslate,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { dataProvider } from '../services';
import { assessmentActions } from '../lib/permissions';
import { KPI_CARDS } from '../lib/kpi';
import { formatRate } from '../lib/coverage';
import { evidenceLink, type Evidence } from '../lib/evidence';
import { ActionButton } from './ActionButton';
import { EnumField } from './EnumField';

const filters = [
  <ReferenceInput key="c" source="contractId" reference="contracts" alwaysOn>
    <AutocompleteInput optionText="code" />
  </ReferenceInput>,
  <TextInput key="m" source="month" alwaysOn />,
];

export function AssessmentList() {
  return (
    <List filters={filters} sort={{ field: 'month', order: 'DESC' }} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="month" />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <NumberField source="score" />
        <NumberField source="totalDeduction" />
        <EnumField source="status" group="assessmentStatus" chip />
      </Datagrid>
    </List>
  );
}

export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function ExportButton({ format }: { format: 'xlsx' | 'pdf' }) {
  const record = useRecordContext();
  const notify = useNotify();
  const translate = useTranslate();
  if (!record) return null;
  return (
    <Button
      size="small"
      startIcon={<DownloadIcon />}
      data-testid={`export-${format}`}
      onClick={async () => {
        try {
          const { blob, filename } = await dataProvider.download(
            `/api/assessments/${encodeURIComponent(String(record.id))}/export.${format}`,
          );
          saveBlob(blob, filename.includes('.') ? filename : `assessment-${record.id}.${format}`);
        } catch (e) {
          notify((e as Error).message, { type: 'error' });
        }
      }}
    >
      {translate(format === 'xlsx' ? 'dwg.assessments.exportXlsx' : 'dwg.assessments.exportPdf')}
    </Button>
  );
}

/** Recompute (a draft) and approve (the reviewer, once no appeal is pending): what the role may and the record allows. */
function AssessmentActions() {
  const record = useRecordContext();
  const { permissions } = usePermissions();
  if (!record) return null;
  const actions = assessmentActions(permissions as string, record.allowedActions).filter(
    (a) => a === 'recompute' || a === 'approve',
  );
  return (
    <TopToolbar>
      <ExportButton format="xlsx" />
      <ExportButton format="pdf" />
      {actions.map((a) => (
        <ActionButton
          key={a}
          resource="assessments"
          id={record.id}
          path={`actions/${a}`}
          label={`dwg.assessments.${a}`}
          fields={[]}
          bodyOf={() => ({})}
          variant={a === 'approve' ? 'contained' : 'outlined'}
        />
      ))}
    </TopToolbar>
  );
}

interface Deduction {
  id: string;
  ruleId?: string;
  label?: string;
  entityKind?: string;
  entityId?: string;
  day?: string;
  quantity?: number;
  unit?: string;
  points?: number;
  evidence?: Evidence[];
  appeal?: {
    status?: 'pending' | 'accepted' | 'rejected';
    comment?: string;
    by?: string;
    reviewComment?: string | null;
    reviewedBy?: string | null;
  } | null;
}

/**
 * Deductions with their evidence (each links to what proves it: task, track or badge playback, work order) and
 * their appeal: the operator's manager appeals one deduction with a comment, the reviewer accepts (waived) or
 * rejects it (`POST /api/assessments/:id/deductions/:deductionId/appeal|review`).
 */
function Deductions(_: { label?: string }) {
  const record = useRecordContext();
  const translate = useTranslate();
  const { permissions } = usePermissions();
  if (!record) return null;
  const allowed = assessmentActions(permissions as string, record.allowedActions);
  const rows = (record.deductions ?? []) as Deduction[];
  const path = (d: Deduction, a: string) => `deductions/${encodeURIComponent(d.id)}/${a}`;
  return (
    <Stack spacing={1} sx={{ width: '100%' }}>
      <Table size="small" data-testid="deductions">
        <TableHead>
          <TableRow>
            <TableCell>{translate('dwg.assessments.reason')}</TableCell>
            <TableCell>{translate('dwg.assessments.day')}</TableCell>
            <TableCell align="right">{translate('dwg.assessments.points')}</TableCell>
            <TableCell>{translate('dwg.assessments.evidence')}</TableCell>
            <TableCell>{translate('dwg.assessments.appeal')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((d) => (
            <TableRow key={d.id} data-testid="deduction">
              <TableCell>
                {d.label ?? d.ruleId}
                {d.quantity !== undefined ? ` (${d.quantity} ${d.unit ?? ''})` : ''}
              </TableCell>
              <TableCell>{d.day}</TableCell>
              <TableCell align="right">−{d.points}</TableCell>
              <TableCell>
                <Stack direction="row" spacing={1} flexWrap="wrap" useFlexGap>
                  {(d.evidence ?? []).map((e, j) => {
                    const l = evidenceLink(e);
                    return l ? (
                      <Link key={j} to={l.to}>
                        {l.label}
                      </Link>
                    ) : (
                      <span key={j}>{String(e.label ?? e.kind ?? '')}</span>
                    );
                  })}
                </Stack>
              </TableCell>
              <TableCell>
                {d.appeal && (
                  <span data-testid="appeal-status">
                    {translate(`dwg.assessments.appealStatus.${d.appeal.status}`, { _: d.appeal.status })}
                    {d.appeal.comment ? ` · ${d.appeal.comment}` : ''}
                    {d.appeal.reviewComment ? ` · ${d.appeal.reviewComment}` : ''}
                  </span>
                )}
                {!d.appeal && allowed.includes('appeal') && (
                  <ActionButton
                    resource="assessments"
                    id={record.id}
                    path={path(d, 'appeal')}
                    label="dwg.assessments.appeal"
                  />
                )}
                {d.appeal?.status === 'pending' && allowed.includes('review') && (
                  <Stack direction="row" spacing={1}>
                    {(['accept', 'reject'] as const).map((decision) => (
                      <ActionButton
                        key={decision}
                        resource="assessments"
                        id={record.id}
                        path={path(d, 'review')}
                        testId={`review-${decision}`}
                        label={`dwg.assessments.review_${decision}`}
                        bodyOf={(v) => ({
                          decision,
                          comment: typeof v.comment === 'string' ? v.comment : '',
                        })}
                      />
                    ))}
                  </Stack>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Stack>
  );
}

/** Month KPIs per service line and overall (`kpis: [{line, cell: {rates}}]`). */
function KpiTable(_: { label?: string }) {
  const record = useRecordContext();
  const translate = useTranslate();
  const rows = (record?.kpis ?? []) as { line: string; cell?: { rates?: Record<string, unknown> } }[];
  if (!Array.isArray(rows) || !rows.length) return null;
  return (
    <Table size="small" data-testid="assessment-kpis">
      <TableHead>
        <TableRow>
          <TableCell />
          {KPI_CARDS.map((k) => (
            <TableCell key={k} align="right">
              {translate(`dwg.kpi.${k}`)}
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((r) => (
          <TableRow key={r.line}>
            <TableCell>{translate(`enums.kpiLine.${r.line}`, { _: r.line })}</TableCell>
            {KPI_CARDS.map((k) => {
              const v = r.cell?.rates?.[k];
              return (
                <TableCell key={k} align="right">
                  {formatRate(typeof v === 'number' ? v : null)}
                </TableCell>
              );
            })}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function AssessmentShow() {
  return (
    <Show actions={<AssessmentActions />}>
      <SimpleShowLayout>
        <Stack direction="row" spacing={5} useFlexGap flexWrap="wrap">
          <Labeled source="month">
            <TextField source="month" />
          </Labeled>
          <Labeled source="contractId">
            <ReferenceField source="contractId" reference="contracts">
              <TextField source="code" />
            </ReferenceField>
          </Labeled>
          <Labeled source="score">
            <NumberField source="score" sx={{ fontSize: 20, fontWeight: 500 }} />
          </Labeled>
          <Labeled source="totalDeduction">
            <NumberField source="totalDeduction" />
          </Labeled>
          <Labeled source="status">
            <EnumField source="status" group="assessmentStatus" chip />
          </Labeled>
          <Labeled source="approvedBy">
            <TextField source="approvedBy" emptyText="—" />
          </Labeled>
        </Stack>
        <TextField source="contentHash" emptyText="—" />
        <FunctionField
          source="subtotals"
          render={(r: {
            subtotals?: { ruleId: string; label?: string; count?: number; points?: number }[];
          }) => (
            <Stack spacing={0.5}>
              {(r.subtotals ?? []).map((t) => (
                <span key={t.ruleId}>
                  {t.label ?? t.ruleId}: {t.count ?? 0} · −{t.points ?? 0}
                </span>
              ))}
            </Stack>
          )}
        />
        <KpiTable label="dwg.assessments.kpis" />
        <Deductions label="dwg.assessments.deductions" />
      </SimpleShowLayout>
    </Show>
  );
}
