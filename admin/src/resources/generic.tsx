import type { ReactElement } from 'react';
import {
  ArrayField,
  AutocompleteInput,
  BooleanField,
  BooleanInput,
  ChipField,
  CheckboxGroupInput,
  Create,
  Datagrid,
  DateField,
  DateInput,
  Edit,
  FunctionField,
  List,
  NullableBooleanInput,
  NumberField,
  NumberInput,
  ReferenceField,
  ReferenceInput,
  SearchInput,
  SelectArrayInput,
  SelectField,
  SelectInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  SingleFieldList,
  TextField,
  TextInput,
  useTranslate,
  usePermissions,
  type ListProps,
} from 'react-admin';
import { GeometryInput } from '../map/GeometryInput';
import { GeometryField } from '../map/GeometryField';
import { can } from '../lib/permissions';
import type { FieldSpec, ResourceSpec } from './specs';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** Choices whose names are translation keys (react-admin translates them in fields and inputs). */
function choicesOf(f: FieldSpec) {
  return (f.choices?.values ?? []).map((v) => ({ id: v, name: `enums.${f.choices!.group}.${v}` }));
}

function EnumsText({ values, group }: { values: unknown; group: string }) {
  const translate = useTranslate();
  return (
    <>
      {(Array.isArray(values) ? values : [])
        .map((v) => translate(`enums.${group}.${v}`, { _: String(v) }))
        .join('、')}
    </>
  );
}

/**
 * The field element of a spec. Returned as an element with `source` on it (not wrapped in a component):
 * Datagrid and SimpleShowLayout read `source` from their children for headers, labels and sorting.
 */
export function fieldView(f: FieldSpec): ReactElement {
  const key = f.source;
  switch (f.type) {
    case 'number':
      return <NumberField key={key} source={f.source} options={{ maximumFractionDigits: 1 }} />;
    case 'bool':
      return <BooleanField key={key} source={f.source} />;
    case 'date':
      return <DateField key={key} source={f.source} locales="zh-CN" />;
    case 'datetime':
      return <DateField key={key} source={f.source} showTime locales="zh-CN" />;
    case 'enum':
      return <SelectField key={key} source={f.source} choices={choicesOf(f)} />;
    case 'enums':
      return (
        <FunctionField
          key={key}
          source={f.source}
          sortable={false}
          render={(r: Record<string, unknown>) => <EnumsText values={r[f.source]} group={f.choices!.group} />}
        />
      );
    case 'ref':
      return (
        <ReferenceField key={key} source={f.source} reference={f.reference!} link="show" emptyText="—">
          <TextField source={f.display ?? 'id'} />
        </ReferenceField>
      );
    case 'weekdays':
      return (
        <FunctionField
          key={key}
          source={f.source}
          sortable={false}
          render={(r: Record<string, unknown>) => ((r[f.source] as number[]) ?? []).join(',')}
        />
      );
    case 'json':
      return (
        <FunctionField
          key={key}
          source={f.source}
          sortable={false}
          render={(r: Record<string, unknown>) => (
            <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
              {JSON.stringify(pick(r, f.source), null, 2)}
            </pre>
          )}
        />
      );
    case 'geometry':
      return <GeometryField key={key} source={f.source} />;
    default:
      return <TextField key={key} source={f.source} />;
  }
}

function pick(r: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], r);
}

function fieldInput(f: FieldSpec, mode: 'create' | 'edit'): ReactElement | null {
  const choices = choicesOf(f);
  if (f.readOnly) return null;
  const disabled = mode === 'edit' && !!f.createOnly;
  const common = {
    source: f.source,
    disabled,
    required: f.required && !(f.writeOnly && mode === 'edit'),
  };
  switch (f.type) {
    case 'number':
      return <NumberInput key={f.source} {...common} />;
    case 'bool':
      return <BooleanInput key={f.source} source={f.source} disabled={disabled} />;
    case 'date':
      return <DateInput key={f.source} {...common} />;
    case 'enum':
      return <SelectInput key={f.source} {...common} choices={choices} />;
    case 'enums':
      return <SelectArrayInput key={f.source} {...common} choices={choices} />;
    case 'ref':
      return (
        <ReferenceInput key={f.source} source={f.source} reference={f.reference!} perPage={100}>
          <AutocompleteInput optionText={f.display ?? 'id'} disabled={disabled} />
        </ReferenceInput>
      );
    case 'weekdays':
      return (
        <CheckboxGroupInput
          key={f.source}
          {...common}
          choices={WEEKDAYS.map((d) => ({ id: d, name: String(d) }))}
        />
      );
    case 'json':
      return (
        <TextInput
          key={f.source}
          source={f.source}
          multiline
          fullWidth
          disabled={disabled}
          format={(v) =>
            v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v, null, 2)
          }
          parse={(v: string) => {
            try {
              return JSON.parse(v);
            } catch {
              return v;
            }
          }}
        />
      );
    case 'geometry':
      return <GeometryInput key={f.source} source={f.source} geometry={f.geometry} />;
    case 'time':
      return <TextInput key={f.source} {...common} helperText="HH:mm" />;
    default:
      return <TextInput key={f.source} {...common} type={f.writeOnly ? 'password' : 'text'} />;
  }
}

function filtersOf(spec: ResourceSpec) {
  const out: ReactElement[] = [];
  if (spec.search) out.push(<SearchInput key="q" source="q" alwaysOn />);
  for (const f of spec.fields.filter((x) => x.filter)) {
    if (f.type === 'ref')
      out.push(
        <ReferenceInput
          key={f.source}
          source={f.source}
          reference={f.reference!}
          alwaysOn={f.source === 'contractId'}
        >
          <AutocompleteInput optionText={f.display ?? 'id'} />
        </ReferenceInput>,
      );
    else if (f.type === 'enum')
      out.push(<SelectInput key={f.source} source={f.source} choices={choicesOf(f)} />);
    else if (f.type === 'bool') out.push(<NullableBooleanInput key={f.source} source={f.source} />);
    else out.push(<TextInput key={f.source} source={f.source} />);
  }
  return out;
}

export function makeList(spec: ResourceSpec, extra?: Partial<ListProps>) {
  return function ResourceList() {
    const { permissions } = usePermissions();
    const writable = !spec.readOnly && can(permissions as string, spec.name, 'write');
    return (
      <List
        filters={filtersOf(spec)}
        sort={spec.sort ?? { field: 'id', order: 'ASC' }}
        perPage={25}
        exporter={false}

        {...extra}
      >
        <Datagrid rowClick="show" bulkActionButtons={writable ? undefined : false}>
          {spec.fields.filter((f) => f.list).map(fieldView)}
        </Datagrid>
      </List>
    );
  };
}

export function makeShow(spec: ResourceSpec, aside?: ReactElement, actions?: ReactElement) {
  return function ResourceShow() {
    return (
      <Show aside={aside} actions={actions}>
        <SimpleShowLayout>{spec.fields.filter((f) => !f.writeOnly).map(fieldView)}</SimpleShowLayout>
      </Show>
    );
  };
}

export function makeEdit(spec: ResourceSpec) {
  return function ResourceEdit() {
    return (
      <Edit mutationMode="pessimistic">
        <SimpleForm>{spec.fields.map((f) => fieldInput(f, 'edit'))}</SimpleForm>
      </Edit>
    );
  };
}

export function makeCreate(spec: ResourceSpec, redirect: 'show' | 'list' = 'show') {
  return function ResourceCreate() {
    return (
      <Create redirect={redirect}>
        <SimpleForm>{spec.fields.map((f) => fieldInput(f, 'create'))}</SimpleForm>
      </Create>
    );
  };
}

// Re-exported for resource pages that compose their own views.
export { ArrayField, ChipField, SingleFieldList };
