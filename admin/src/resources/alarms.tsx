import {
  Datagrid,
  DateField,
  List,
  ReferenceField,
  ReferenceInput,
  AutocompleteInput,
  SelectInput,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  usePermissions,
  useRecordContext,
  FunctionField,
  ChipField,
} from 'react-admin';
import { Stack } from '@mui/material';
import { can } from '../lib/permissions';
import { ActionButton } from './ActionButton';

const STATUSES = ['open', 'acknowledged', 'closed'].map((s) => ({ id: s, name: s }));

const filters = [
  <ReferenceInput key="c" source="contractId" reference="contracts" alwaysOn>
    <AutocompleteInput optionText="code" />
  </ReferenceInput>,
  <SelectInput key="s" source="status" choices={STATUSES} alwaysOn />,
];

/**
 * The api lists the actions allowed now (`allowedActions`: acknowledge while open, close while open or
 * acknowledged); it answers 409 otherwise.
 */
function AlarmActions({ compact }: { compact?: boolean }) {
  const record = useRecordContext();
  const { permissions } = usePermissions();
  if (!record || !can(permissions as string, 'alarms', 'write')) return compact ? null : <TopToolbar />;
  const status = String(record.status ?? 'open');
  const allowed = Array.isArray(record.allowedActions)
    ? (record.allowedActions as string[])
    : status === 'open'
      ? ['acknowledge', 'close']
      : status === 'acknowledged'
        ? ['close']
        : [];
  const buttons = (
    <Stack direction="row" spacing={1}>
      {allowed.includes('acknowledge') && (
        <ActionButton resource="alarms" id={record.id} path="acknowledge" label="dwg.alarms.acknowledge" />
      )}
      {allowed.includes('close') && (
        <ActionButton resource="alarms" id={record.id} path="close" label="dwg.alarms.close" />
      )}
    </Stack>
  );
  return compact ? buttons : <TopToolbar>{buttons}</TopToolbar>;
}

export function AlarmList() {
  return (
    <List filters={filters} sort={{ field: 'openedAt', order: 'DESC' }} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <DateField source="openedAt" showTime />
        <TextField source="type" />
        <ChipField source="status" />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <TextField source="deviceId" emptyText="—" />
        <FunctionField
          source="subjectId"
          render={(r: { subjectKind?: string; subjectId?: string }) =>
            r.subjectId ? `${r.subjectKind ?? ''} ${r.subjectId}`.trim() : '—'
          }
        />
        <TextField source="message" emptyText="—" />
        <AlarmActions compact />
      </Datagrid>
    </List>
  );
}

export function AlarmShow() {
  return (
    <Show actions={<AlarmActions />}>
      <SimpleShowLayout>
        <TextField source="id" />
        <TextField source="type" />
        <TextField source="status" />
        <DateField source="openedAt" showTime />
        <DateField source="clearedAt" showTime emptyText="—" />
        <TextField source="subjectKind" emptyText="—" />
        <TextField source="subjectId" emptyText="—" />
        <TextField source="taskId" emptyText="—" />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <TextField source="deviceId" emptyText="—" />
        <TextField source="message" emptyText="—" />
        <FunctionField
          label="dwg.alarms.comment"
          render={(r: {
            history?: { status?: string; at?: string; by?: string; comment?: string | null }[];
          }) => (
            <Stack spacing={0.5} data-testid="alarm-history">
              {(r.history ?? []).map((h, i) => (
                <span key={i}>
                  {h.at ? new Date(h.at).toLocaleString() : '—'} · {h.status} · {h.by ?? '—'}
                  {h.comment ? ` · ${h.comment}` : ''}
                </span>
              ))}
            </Stack>
          )}
        />
      </SimpleShowLayout>
    </Show>
  );
}
