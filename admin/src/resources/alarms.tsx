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
  useTranslate,
} from 'react-admin';
import { Stack } from '@mui/material';
import { can } from '../lib/permissions';
import { ActionButton } from './ActionButton';
import { EnumField } from './EnumField';

/** Who acknowledged or closed the alarm, when, and with what comment. */
function AlarmHistory(_: { label?: string }) {
  const r = useRecordContext<{
    id: string;
    history?: { status?: string; at?: string; by?: string; comment?: string | null }[];
  }>();
  const translate = useTranslate();
  return (
    <Stack spacing={0.5} data-testid="alarm-history">
      {(r?.history ?? []).map((h, i) => (
        <span key={i}>
          {h.at ? new Date(h.at).toLocaleString() : '—'} ·{' '}
          {h.status ? translate(`enums.alarmStatus.${h.status}`, { _: h.status }) : '—'} · {h.by ?? '—'}
          {h.comment ? ` · ${h.comment}` : ''}
        </span>
      ))}
    </Stack>
  );
}

/** The alarm's subject (vehicle or worker) with its kind in the console's language. */
function Subject(_: { source?: string; label?: string }) {
  const r = useRecordContext<{ id: string; subjectKind?: string; subjectId?: string }>();
  const translate = useTranslate();
  if (!r?.subjectId) return <span>—</span>;
  const kind = r.subjectKind ? translate(`enums.subjectKind.${r.subjectKind}`, { _: r.subjectKind }) : '';
  return <span>{`${kind} ${r.subjectId}`.trim()}</span>;
}

const STATUSES = ['open', 'acknowledged', 'closed'].map((s) => ({ id: s, name: `enums.alarmStatus.${s}` }));

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
        <EnumField source="type" group="alarmType" />
        <EnumField source="status" group="alarmStatus" chip />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <TextField source="deviceId" emptyText="—" />
        <Subject source="subjectId" />
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
        <EnumField source="type" group="alarmType" />
        <EnumField source="status" group="alarmStatus" chip />
        <DateField source="openedAt" showTime />
        <DateField source="clearedAt" showTime emptyText="—" />
        <EnumField source="subjectKind" group="subjectKind" />
        <TextField source="subjectId" emptyText="—" />
        <TextField source="taskId" emptyText="—" />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <TextField source="deviceId" emptyText="—" />
        <TextField source="message" emptyText="—" />
        <AlarmHistory label="dwg.history" />
      </SimpleShowLayout>
    </Show>
  );
}
