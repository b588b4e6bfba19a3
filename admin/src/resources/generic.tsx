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

function useChoices(f: FieldSpec) {
  const translate = useTranslate();
  return (f.choices?.values ?? []).map((v) => ({
    id: v,
    name: translate(`enums.${f.choices!.group}.${v}`, { _: v }),
  }));
}

export function FieldView({ f }: { f: FieldSpec }): ReactElement {
  const choices = useChoices(f);
  switch (f.type) {
    case 'number':
      return <NumberField source={f.source} options={{ maximumFractionDigits: 1 }} />;
    case 'bool':
      return <BooleanField source={f.source} />;
    case 'date':
      return <DateField source={f.source} />;
    case 'datetime':
      return <DateField source={f.source} showTime />;
    case 'enum':
      return <SelectField source={f.source} choices={choices} />;
    case 'enums':
      return (
        <FunctionField
          source={f.source}
          render={(r: Record<string, unknown>) =>
            ((r[f.source] as string[]) ?? [])
              .map((v) => choices.find((c) => c.id === v)?.name ?? v)
              .join('、')
          }
        />
      );
    case 'ref':
      return (
        <ReferenceField source={f.source} reference={f.reference!} link="show" emptyText="—">
          <TextField source={f.display ?? 'id'} />
        </ReferenceField>
      );
    case 'weekdays':
      return (
        <FunctionField
          source={f.source}
          render={(r: Record<string, unknown>) => ((r[f.source] as number[]) ?? []).join(',')}
        />
      );
    case 'json':
      return (
        <FunctionField
          source={f.source}
          render={(r: Record<string, unknown>) => (
            <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
              {JSON.stringify(pick(r, f.source), null, 2)}
            </pre>
          )}
        />
      );
    case 'geometry':
      return <GeometryField source={f.source} />;
    default:
      return <TextField source={f.source} />;
  }
}

function pick(r: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], r);
}

function FieldInput({ f, mode }: { f: FieldSpec; mode: 'create' | 'edit' }): ReactElement | null {
  const choices = useChoices(f);
  if (f.readOnly) return null;
  const disabled = mode === 'edit' && !!f.createOnly;
  const common = { source: f.source, disabled, required: f.required && !(f.writeOnly && mode === 'edit') };
  switch (f.type) {
    case 'number':
      return <NumberInput {...common} />;
    case 'bool':
      return <BooleanInput source={f.source} disabled={disabled} />;
    case 'date':
      return <DateInput {...common} />;
    case 'enum':
      return <SelectInput {...common} choices={choices} />;
    case 'enums':
      return <SelectArrayInput {...common} choices={choices} />;
    case 'ref':
      return (
        <ReferenceInput source={f.source} reference={f.reference!} perPage={100}>
          <AutocompleteInput optionText={f.display ?? 'id'} disabled={disabled} />
        </ReferenceInput>
      );
    case 'weekdays':
      return <CheckboxGroupInput {...common} choices={WEEKDAYS.map((d) => ({ id: d, name: String(d) }))} />;
    case 'json':
      return (
        <TextInput
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
      return <GeometryInput source={f.source} geometry={f.geometry} />;
    case 'time':
      return <TextInput {...common} helperText="HH:mm" />;
    default:
      return <TextInput {...common} type={f.writeOnly ? 'password' : 'text'} />;
  }
}

function filtersOf(spec: ResourceSpec, choicesFor: (f: FieldSpec) => { id: string; name: string }[]) {
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
      out.push(<SelectInput key={f.source} source={f.source} choices={choicesFor(f)} />);
    else if (f.type === 'bool') out.push(<NullableBooleanInput key={f.source} source={f.source} />);
    else out.push(<TextInput key={f.source} source={f.source} />);
  }
  return out;
}

export function makeList(spec: ResourceSpec, extra?: Partial<ListProps>) {
  return function ResourceList() {
    const translate = useTranslate();
    const { permissions } = usePermissions();
    const writable = !spec.readOnly && can(permissions as string, spec.name, 'write');
    const choicesFor = (f: FieldSpec) =>
      (f.choices?.values ?? []).map((v) => ({
        id: v,
        name: translate(`enums.${f.choices!.group}.${v}`, { _: v }),
      }));
    return (
      <List
        filters={filtersOf(spec, choicesFor)}
        sort={spec.sort ?? { field: 'id', order: 'ASC' }}
        perPage={25}
        exporter={false}

        {...extra}
      >
        <Datagrid rowClick="show" bulkActionButtons={writable ? undefined : false}>
          {spec.fields
            .filter((f) => f.list)
            .map((f) => (
              <FieldView key={f.source} f={f} />
            ))}
        </Datagrid>
      </List>
    );
  };
}

export function makeShow(spec: ResourceSpec, aside?: ReactElement, actions?: ReactElement) {
  return function ResourceShow() {
    return (
      <Show aside={aside} actions={actions}>
        <SimpleShowLayout>
          {spec.fields
            .filter((f) => !f.writeOnly)
            .map((f) => (
              <FieldView key={f.source} f={f} />
            ))}
        </SimpleShowLayout>
      </Show>
    );
  };
}

export function makeEdit(spec: ResourceSpec) {
  return function ResourceEdit() {
    return (
      <Edit mutationMode="pessimistic">
        <SimpleForm>
          {spec.fields.map((f) => (
            <FieldInput key={f.source} f={f} mode="edit" />
          ))}
        </SimpleForm>
      </Edit>
    );
  };
}

export function makeCreate(spec: ResourceSpec, redirect: 'show' | 'list' = 'show') {
  return function ResourceCreate() {
    return (
      <Create redirect={redirect}>
        <SimpleForm>
          {spec.fields.map((f) => (
            <FieldInput key={f.source} f={f} mode="create" />
          ))}
        </SimpleForm>
      </Create>
    );
  };
}

// Re-exported for resource pages that compose their own views.
export { ArrayField, ChipField, SingleFieldList };
