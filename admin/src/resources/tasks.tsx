import {
  AutocompleteInput,
  ChipField,
  Datagrid,
  FunctionField,
  List,
  ReferenceField,
  ReferenceInput,
  Show,
  SimpleShowLayout,
  TextField,
  TextInput,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { formatRate } from '../lib/coverage';

const filters = [
  <ReferenceInput key="c" source="contractId" reference="contracts" alwaysOn>
    <AutocompleteInput optionText="code" />
  </ReferenceInput>,
  <TextInput key="d" source="serviceDay" alwaysOn />,
  <TextInput key="s" source="status" />,
];

const progress = (r: Record<string, unknown>) => {
  const p = (r.progress ?? (r.evidence as Record<string, unknown> | undefined)?.coverageRate) as
    number | undefined;
  return formatRate(typeof p === 'number' ? p : null);
};

export function TaskList() {
  return (
    <List filters={filters} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="serviceDay" />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <TextField source="targetType" />
        <TextField source="targetId" />
        <TextField source="assigneeId" emptyText="—" />
        <ChipField source="status" />
        <FunctionField source="progress" render={progress} />
      </Datagrid>
    </List>
  );
}

/** A task with its evidence summary: what the telemetry proves (coverage, passes, check-ins) and the playback link. */
export function TaskShow() {
  return (
    <Show>
      <SimpleShowLayout>
        <TextField source="id" />
        <TextField source="serviceDay" />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <TextField source="status" />
        <TextField source="targetType" />
        <TextField source="targetId" />
        <TextField source="assigneeId" emptyText="—" />
        <FunctionField source="progress" render={progress} />
        <FunctionField
          label="dwg.tasks.evidence"
          render={(r: Record<string, unknown>) => (
            <>
              <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
                {JSON.stringify(r.evidence ?? r.evidenceSummary ?? {}, null, 2)}
              </pre>
              {typeof r.deviceId === 'string' && (
                <Link
                  to={`/playback?device=${encodeURIComponent(r.deviceId)}&day=${String(r.serviceDay ?? '')}`}
                >
                  ▶
                </Link>
              )}
            </>
          )}
        />
      </SimpleShowLayout>
    </Show>
  );
}
