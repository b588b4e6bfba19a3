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

/** Acknowledge while open, close while open or acknowledged (the api answers 409 otherwise). */
function AlarmActions({ compact }: { compact?: boolean }) {
  const record = useRecordContext();
  const { permissions } = usePermissions();
  if (!record || !can(permissions as string, 'alarms', 'write')) return compact ? null : <TopToolbar />;
  const status = String(record.status ?? 'open');
  const buttons = (
    <Stack direction="row" spacing={1}>
      {status === 'open' && (
        <ActionButton resource="alarms" id={record.id} path="acknowledge" label="dwg.alarms.acknowledge" />
      )}
      {status !== 'closed' && (
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
        <ChipField source="severity" emptyText="—" />
        <ChipField source="status" />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <TextField source="deviceId" emptyText="—" />
        <FunctionField
          source="subject"
          render={(r: { subject?: { name?: string } }) => r.subject?.name ?? '—'}
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
        <TextField source="severity" emptyText="—" />
        <TextField source="status" />
        <DateField source="openedAt" showTime />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <TextField source="deviceId" emptyText="—" />
        <TextField source="message" emptyText="—" />
        <FunctionField
          label="dwg.alarms.comment"
          render={(r: { history?: unknown[] }) => (
            <pre style={{ margin: 0, fontSize: 12 }}>{JSON.stringify(r.history ?? [], null, 2)}</pre>
          )}
        />
      </SimpleShowLayout>
    </Show>
  );
}
