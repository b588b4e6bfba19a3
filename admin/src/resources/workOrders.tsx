import { useEffect, useState } from 'react';
import { Box, Card, CardContent, Chip, Paper, Stack, Typography } from '@mui/material';
import {
  AutocompleteInput,
  Create,
  Datagrid,
  DateField,
  FileField,
  FileInput,
  FunctionField,
  List,
  NumberInput,
  ReferenceField,
  ReferenceInput,
  SelectInput,
  Show,
  SimpleForm,
  SimpleShowLayout,
  TextField,
  TextInput,
  Title,
  TopToolbar,
  useGetList,
  usePermissions,
  useRecordContext,
  useTranslate,
} from 'react-admin';
import { Link } from 'react-router-dom';
import { can } from '../lib/permissions';
import {
  WORK_ORDER_STATES,
  actionBody,
  actionFields,
  allowedActions,
  groupByState,
  photosOfKind,
  stateOf,
} from '../lib/workOrders';
import { ActionButton } from './ActionButton';
import { AuthImage, photoPaths } from './AuthImage';
import { DeadlineChip } from './DeadlineChip';
import { LocalNameField, useLocalName } from './EnumField';

function StateChip(_: { label?: string }) {
  const r = useRecordContext();
  const translate = useTranslate();
  if (!r) return null;
  const s = stateOf(r);
  return <Chip size="small" label={translate(`dwg.workOrders.state.${s}`, { _: s })} />;
}

export function WorkOrderActions({
  record: given,
}: {
  record?: Record<string, unknown> & { id: string | number };
}) {
  const ctx = useRecordContext();
  const record = given ?? ctx;
  const { permissions } = usePermissions();
  if (!record || !can(permissions as string, 'work-orders', 'write')) return null;
  return (
    <Stack direction="row" spacing={1} flexWrap="wrap" useFlexGap>
      {allowedActions(record).map((a) => (
        <ActionButton
          key={a}
          resource="work-orders"
          id={record.id}
          path={`actions/${a}`}
          label={`dwg.workOrders.action.${a}`}
          fields={actionFields(a)}
          bodyOf={(values, photos) => actionBody(a, values, photos)}
          contractId={(record.contractId as string | null | undefined) ?? null}
          variant={a === 'verify' || a === 'dispatch' ? 'contained' : 'outlined'}
        />
      ))}
    </Stack>
  );
}

const filters = [
  <ReferenceInput key="c" source="contractId" reference="contracts" alwaysOn>
    <AutocompleteInput optionText="code" />
  </ReferenceInput>,
  <SelectInput
    key="s"
    source="state"
    choices={WORK_ORDER_STATES.map((s) => ({ id: s, name: `dwg.workOrders.state.${s}` }))}
    alwaysOn
  />,
];

export function WorkOrderList() {
  return (
    <List filters={filters} sort={{ field: 'reportedAt', order: 'DESC' }} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <DateField source="reportedAt" showTime />
        <ReferenceField source="contractId" reference="contracts" link={false}>
          <TextField source="code" />
        </ReferenceField>
        <ReferenceField source="category" reference="categories" link={false} emptyText="—">
          <LocalNameField />
        </ReferenceField>
        <TextField source="description" />
        <StateChip label="resources.work-orders.fields.state" />
        <DateField source="dueAt" showTime emptyText="—" />
        <DeadlineChip label="dwg.workOrders.deadline" />
      </Datagrid>
    </List>
  );
}

/** The report's or the result's photos (`photos[].kind`), fetched with the bearer token. */
function Photos({ kind, label }: { kind: 'report' | 'result'; label: string }) {
  const r = useRecordContext();
  const translate = useTranslate();
  if (!r) return null;
  const paths = photoPaths(r.id, photosOfKind(r, kind));
  if (!paths.length) return null;
  return (
    <Box>
      <Typography variant="caption">{translate(label)}</Typography>
      <Stack direction="row" spacing={1} data-testid={`photos-${kind}`}>
        {paths.map((p) => (
          <AuthImage key={p} path={p} alt={label} />
        ))}
      </Stack>
    </Box>
  );
}

/** Every step of the order: when, which action, the state it led to, by whom, with what note. */
function WorkOrderHistory(_: { label?: string }) {
  const r = useRecordContext<{
    id: string;
    history?: { at?: string; action?: string; by?: { username?: string }; to?: string; note?: string }[];
  }>();
  const translate = useTranslate();
  return (
    <Stack spacing={0.5} data-testid="work-order-history">
      {(r?.history ?? []).map((h, i) => (
        <span key={i}>
          {h.at ? new Date(h.at).toLocaleString() : '—'} ·{' '}
          {h.action ? translate(`dwg.workOrders.action.${h.action}`, { _: h.action }) : '—'} →{' '}
          {h.to ? translate(`dwg.workOrders.state.${h.to}`, { _: h.to }) : '—'} · {h.by?.username ?? '—'}
          {h.note ? ` · ${h.note}` : ''}
        </span>
      ))}
    </Stack>
  );
}

export function WorkOrderShow() {
  return (
    <Show
      actions={
        <TopToolbar>
          <WorkOrderActions />
        </TopToolbar>
      }
    >
      <SimpleShowLayout>
        <TextField source="id" />
        <StateChip label="resources.work-orders.fields.state" />
        <DeadlineChip label="dwg.workOrders.deadline" />
        <ReferenceField source="contractId" reference="contracts">
          <TextField source="code" />
        </ReferenceField>
        <ReferenceField source="category" reference="categories" link={false} emptyText="—">
          <LocalNameField />
        </ReferenceField>
        <TextField source="description" />
        <FunctionField
          label="dwg.workOrders.location"
          render={(r: { location?: { lng: number; lat: number }; lng?: number; lat?: number }) => {
            const p = r.location ?? (r.lng !== undefined ? { lng: r.lng, lat: r.lat! } : null);
            return p ? `${p.lng.toFixed(5)}, ${p.lat.toFixed(5)}` : '—';
          }}
        />
        <DateField source="reportedAt" showTime />
        <DateField source="dueAt" showTime emptyText="—" />
        <DateField source="redDueAt" showTime emptyText="—" />
        <ReferenceField source="teamId" reference="teams" emptyText="—">
          <TextField source="name" />
        </ReferenceField>
        <TextField source="routingReason" emptyText="—" />
        <FunctionField
          source="flagged"
          render={(r: { flagged?: boolean; closeOut?: { problems?: string[] } | null }) =>
            r.flagged ? `⚠ ${(r.closeOut?.problems ?? []).join('; ')}` : '—'
          }
        />
        <Photos kind="report" label="dwg.workOrders.photos" />
        <Photos kind="result" label="dwg.workOrders.resultPhotos" />
        <WorkOrderHistory label="dwg.history" />
      </SimpleShowLayout>
    </Show>
  );
}

/** Reporting a problem: category, description, where, and photos (sent as multipart). */
export function WorkOrderCreate() {
  const name = useLocalName();
  return (
    <Create redirect="show">
      <SimpleForm>
        <ReferenceInput source="contractId" reference="contracts">
          <AutocompleteInput optionText="code" />
        </ReferenceInput>
        <ReferenceInput source="category" reference="categories">
          <AutocompleteInput optionText={name} />
        </ReferenceInput>
        <TextInput source="description" multiline fullWidth required />
        <NumberInput source="lng" required />
        <NumberInput source="lat" required />
        <FileInput source="photos" accept={{ 'image/*': [] }} multiple>
          <FileField source="src" title="title" />
        </FileInput>
      </SimpleForm>
    </Create>
  );
}

/** The board: one column per state, cards with the deadline chip and the actions the state allows. */
export function WorkOrderBoard() {
  const translate = useTranslate();
  const { data, error, isPending } = useGetList('work-orders', {
    pagination: { page: 1, perPage: 500 },
    sort: { field: 'reportedAt', order: 'DESC' },
  });
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 60_000); // deadline chips age without new data
    return () => clearInterval(t);
  }, []);
  const columns = groupByState(data ?? []);
  return (
    <Box sx={{ p: 1 }}>
      <Title title="dwg.workOrders.board" />
      {error && <Typography color="text.secondary">{translate('dwg.notAvailable')}</Typography>}
      {!isPending && (
        <Stack direction="row" spacing={1} sx={{ overflowX: 'auto', alignItems: 'flex-start' }}>
          {Object.entries(columns).map(([state, rows]) => (
            <Paper
              key={state}
              sx={{ minWidth: 260, p: 1, bgcolor: 'action.hover' }}
              data-testid={`board-${state}`}
            >
              <Typography variant="subtitle2" sx={{ mb: 1 }}>
                {translate(`dwg.workOrders.state.${state}`, { _: state })} ({rows.length})
              </Typography>
              <Stack spacing={1}>
                {rows.map((r) => (
                  <Card key={r.id} variant="outlined" data-testid="board-card">
                    <CardContent sx={{ p: 1.5, '&:last-child': { pb: 1.5 } }}>
                      <Link to={`/work-orders/${encodeURIComponent(String(r.id))}/show`}>
                        <Typography variant="body2" fontWeight={600}>
                          {String(r.category ?? '')} · {String(r.description ?? '').slice(0, 40)}
                        </Typography>
                      </Link>
                      <Stack direction="row" spacing={1} sx={{ my: 1 }}>
                        <DeadlineChip record={r} />
                      </Stack>
                      <WorkOrderActions record={r} />
                    </CardContent>
                  </Card>
                ))}
              </Stack>
            </Paper>
          ))}
        </Stack>
      )}
    </Box>
  );
}
