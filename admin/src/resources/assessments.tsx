import { Button, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import {
  AutocompleteInput,
  ChipField,
  Datagrid,
  FunctionField,
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
import { evidenceLink, type Evidence } from '../lib/evidence';
import { ActionButton } from './ActionButton';

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
        <ChipField source="state" emptyText="—" />
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

function AssessmentActions() {
  const record = useRecordContext();
  const { permissions } = usePermissions();
  if (!record) return null;
  const actions = assessmentActions(permissions as string);
  return (
    <TopToolbar>
      <ExportButton format="xlsx" />
      <ExportButton format="pdf" />
      {actions
        .filter((a) => a !== 'appeal')
        .map((a) => (
          <ActionButton
            key={a}
            resource="assessments"
            id={record.id}
            path={a}
            label={`dwg.assessments.${a}`}
          />
        ))}
    </TopToolbar>
  );
}

interface Deduction {
  id?: string;
  code?: string;
  rule?: string;
  description?: string;
  points?: number;
  kpi?: string;
  evidence?: Evidence[];
  appeal?: { state?: string; reason?: string } | null;
}

/** Deductions with their evidence: each links to what proves it (track, task, badge record, work order, photo). */
function Deductions() {
  const record = useRecordContext();
  const translate = useTranslate();
  const { permissions } = usePermissions();
  const canAppeal = assessmentActions(permissions as string).includes('appeal');
  if (!record) return null;
  const rows = (record.deductions ?? []) as Deduction[];
  return (
    <Stack spacing={1} sx={{ width: '100%' }}>
      <Typography variant="subtitle2">{translate('dwg.assessments.deductions')}</Typography>
      <Table size="small" data-testid="deductions">
        <TableHead>
          <TableRow>
            <TableCell>code</TableCell>
            <TableCell>{translate('dwg.assessments.reason')}</TableCell>
            <TableCell align="right">−</TableCell>
            <TableCell>{translate('dwg.assessments.evidence')}</TableCell>
            <TableCell>{translate('dwg.assessments.appeal')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((d, i) => (
            <TableRow key={d.id ?? i}>
              <TableCell>{d.code ?? d.rule}</TableCell>
              <TableCell>{d.description}</TableCell>
              <TableCell align="right">{d.points}</TableCell>
              <TableCell>
                <Stack direction="row" spacing={1} flexWrap="wrap" useFlexGap>
                  {(d.evidence ?? []).map((e, j) => {
                    const l = evidenceLink(e);
                    return l ? (
                      <Link key={j} to={l.to}>
                        {l.label}
                      </Link>
                    ) : (
                      <span key={j}>{JSON.stringify(e)}</span>
                    );
                  })}
                </Stack>
              </TableCell>
              <TableCell>
                {d.appeal?.state ??
                  (canAppeal && (
                    <ActionButton
                      resource="assessments"
                      id={record.id}
                      path={`deductions/${encodeURIComponent(String(d.id ?? i))}/appeal`}
                      label="dwg.assessments.appeal"
                    />
                  ))}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Stack>
  );
}

export function AssessmentShow() {
  return (
    <Show actions={<AssessmentActions />}>
      <SimpleShowLayout>
        <TextField source="month" />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <NumberField source="score" />
        <TextField source="state" emptyText="—" />
        <FunctionField
          source="kpis"
          render={(r: { kpis?: Record<string, unknown> }) => (
            <pre style={{ margin: 0, fontSize: 12 }}>{JSON.stringify(r.kpis ?? {}, null, 2)}</pre>
          )}
        />
        <Deductions />
      </SimpleShowLayout>
    </Show>
  );
}
