import {
  AutocompleteInput,
  Datagrid,
  DateField,
  FunctionField,
  List,
  ReferenceField,
  ReferenceInput,
  SelectInput,
  Show,
  SimpleShowLayout,
  TextField,
  TextInput,
  useRecordContext,
  useTranslate,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { formatRate } from '../lib/coverage';
import { EnumField } from './EnumField';

const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'partial', 'missed'];
const TASK_KINDS = [
  'route',
  'post',
  'online',
  'patrol_rounds',
  'collection_rounds',
  'sorting_rounds',
  'greening',
];
const choices = (group: string, values: string[]) =>
  values.map((v) => ({ id: v, name: `enums.${group}.${v}` }));

const filters = [
  <ReferenceInput key="c" source="contractId" reference="contracts" alwaysOn>
    <AutocompleteInput optionText="code" />
  </ReferenceInput>,
  <TextInput key="d" source="day" alwaysOn />,
  <SelectInput key="s" source="status" choices={choices('taskStatus', TASK_STATUSES)} />,
  <SelectInput key="k" source="kind" choices={choices('taskKind', TASK_KINDS)} />,
];

/**
 * A task's progress from its evidence metrics (TaskChanged.metrics): route coverage, the share of sites visited,
 * or on-post time over the shift.
 */
export function taskProgress(r: Record<string, unknown>): number | null {
  const m = (r.metrics ?? {}) as Record<string, number | boolean | undefined>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const ratio = (a: unknown, b: unknown) => (n(a) !== undefined && n(b) ? n(a)! / n(b)! : undefined);
  return (
    n(m.coverage) ??
    ratio(m.sitesVisited, m.sitesRequired) ??
    ratio(m.onPostMin, m.shiftMin) ??
    (typeof m.reported === 'boolean' ? (m.reported ? 1 : 0) : null)
  );
}

const progress = (r: Record<string, unknown>) => formatRate(taskProgress(r));

function Subjects(_: { source?: string; label?: string }) {
  const r = useRecordContext<{ id: string; subjectKind?: string; subjectIds?: string[] }>();
  const translate = useTranslate();
  if (!r) return null;
  const kind = r.subjectKind ? translate(`enums.subjectKind.${r.subjectKind}`, { _: r.subjectKind }) : '';
  return <span>{`${kind} ${(r.subjectIds ?? []).join(', ')}`.trim() || '—'}</span>;
}

export function TaskList() {
  return (
    <List filters={filters} sort={{ field: 'windowStart', order: 'DESC' }} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="day" />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <TextField source="name" />
        <EnumField source="kind" group="taskKind" />
        <Subjects source="subjectIds" />
        <EnumField source="status" group="taskStatus" chip />
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
        <TextField source="name" />
        <TextField source="day" />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <EnumField source="status" group="taskStatus" chip />
        <EnumField source="kind" group="taskKind" />
        <DateField source="windowStart" showTime />
        <DateField source="windowEnd" showTime />
        <Subjects source="subjectIds" />
        <FunctionField source="progress" render={progress} />
        <FunctionField
          label="dwg.tasks.evidence"
          render={(r: Record<string, unknown>) => (
            <>
              <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
                {JSON.stringify(r.metrics ?? {}, null, 2)}
              </pre>
              {(Array.isArray(r.subjects) ? (r.subjects as string[]) : []).map((d) => (
                <Link
                  key={d}
                  to={`/playback?${new URLSearchParams({ device: d, from: String(r.windowStart ?? ''), to: String(r.windowEnd ?? '') })}`}
                  style={{ marginRight: 8 }}
                >
                  ▶ {d}
                </Link>
              ))}
            </>
          )}
        />
      </SimpleShowLayout>
    </Show>
  );
}
