import { useState } from 'react';
import {
  Button as MuiButton,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  TextField as MuiTextField,
} from '@mui/material';
import { useGetList, useNotify, useRefresh, useTranslate } from 'react-admin';
import { dataProvider } from '../services';
import type { ActionField } from '../lib/workOrders';
import { useLocalName } from './EnumField';

type Values = Partial<Record<ActionField, string | boolean>>;

/** A native select of a resource's records (teams of the order's contract, categories), loaded when shown. */
function RefSelect(props: {
  field: ActionField;
  resource: string;
  filter?: Record<string, unknown>;
  optionText: (r: Record<string, unknown>) => string;
  value: string;
  onChange: (v: string) => void;
  label: string;
}) {
  const { data } = useGetList(props.resource, {
    pagination: { page: 1, perPage: 100 },
    sort: { field: 'id', order: 'ASC' },
    filter: props.filter ?? {},
  });
  return (
    <MuiTextField
      select
      label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      fullWidth
      margin="dense"
      slotProps={{ select: { native: true }, htmlInput: { 'data-testid': `action-${props.field}` } }}
    >
      <option value="" />
      {(data ?? []).map((r) => (
        <option key={String(r.id)} value={String(r.id)}>
          {props.optionText(r)}
        </option>
      ))}
    </MuiTextField>
  );
}

/**
 * One api action on a record (acknowledge an alarm, dispatch a work order, appeal a deduction…): a dialog asks for
 * the fields the action takes (a comment by default; a team, a reason, a result photo… for work orders) and the
 * api's answer (or its 409 naming the allowed actions) is shown as a notification.
 */
export function ActionButton(props: {
  resource: string;
  id: string | number;
  /** Path after /api/<resource>/:id/, e.g. "acknowledge" or "actions/dispatch". */
  path: string;
  label: string;
  /** Dialog fields; default a comment. */
  fields?: ActionField[];
  /** The body from the dialog's values; default `{comment}`. */
  bodyOf?: (values: Values, photos: File[]) => unknown;
  /** The record's contract: the team choice lists its teams. */
  contractId?: string | null;
  variant?: 'text' | 'outlined' | 'contained';
  /** Test id suffix when one path has several buttons (review accept / reject); default the path's last part. */
  testId?: string;
  onDone?: () => void;
}) {
  const translate = useTranslate();
  const localName = useLocalName();
  const notify = useNotify();
  const refresh = useRefresh();
  const fields = props.fields ?? ['comment'];
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Values>({ fixed: true });
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const name = props.testId ?? props.path.split('/').pop()!;
  const set = (f: ActionField) => (v: string | boolean) => setValues((x) => ({ ...x, [f]: v }));
  const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v : '');
  const submit = async () => {
    setBusy(true);
    try {
      const comment = text(values.comment).trim();
      const body = props.bodyOf ? props.bodyOf(values, photos) : { comment: comment || undefined };
      await dataProvider.action(props.resource, props.id, props.path, body);
      notify('dwg.alarms.done', { type: 'success' });
      setOpen(false);
      setValues({ fixed: true });
      setPhotos([]);
      refresh();
      props.onDone?.();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const input = (f: ActionField, label: string, extra: { multiline?: boolean; type?: string } = {}) => (
    <MuiTextField
      key={f}
      label={translate(label, { _: f })}
      value={text(values[f])}
      onChange={(e) => set(f)(e.target.value)}
      fullWidth
      margin="dense"
      type={extra.type}
      multiline={extra.multiline}
      slotProps={{ htmlInput: { 'data-testid': `action-${f}` } }}
    />
  );
  const fieldOf = (f: ActionField) => {
    switch (f) {
      case 'teamId':
        return (
          <RefSelect
            key={f}
            field={f}
            resource="teams"
            filter={props.contractId ? { contractId: props.contractId } : {}}
            optionText={(r) => String(r.name ?? r.id)}
            value={text(values.teamId)}
            onChange={set(f)}
            label={translate('dwg.workOrders.team', { _: 'team' })}
          />
        );
      case 'category':
        return (
          <RefSelect
            key={f}
            field={f}
            resource="categories"
            optionText={localName}
            value={text(values.category)}
            onChange={set(f)}
            label={translate('resources.work-orders.fields.category', { _: 'category' })}
          />
        );
      case 'kind':
        return (
          <MuiTextField
            key={f}
            select
            label={translate('dwg.workOrders.rejectKind', { _: 'kind' })}
            value={text(values.kind)}
            onChange={(e) => set(f)(e.target.value)}
            fullWidth
            margin="dense"
            slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'action-kind' } }}
          >
            <option value="" />
            {['not_ours', 'invalid'].map((k) => (
              <option key={k} value={k}>
                {translate(`enums.rejectKind.${k}`)}
              </option>
            ))}
          </MuiTextField>
        );
      case 'fixed':
        return (
          <FormControlLabel
            key={f}
            control={
              <Checkbox
                checked={values.fixed === true}
                onChange={(e) => set(f)(e.target.checked)}
                slotProps={{ input: { 'data-testid': 'action-fixed' } as object }}
              />
            }
            label={translate('dwg.workOrders.fixed', { _: 'fixed' })}
          />
        );
      case 'photo':
        return (
          <input
            key={f}
            type="file"
            accept="image/*"
            multiple
            data-testid="action-photo"
            onChange={(e) => setPhotos(Array.from(e.target.files ?? []))}
            style={{ marginTop: 12 }}
          />
        );
      case 'rating':
        return input(f, 'dwg.workOrders.rating', { type: 'number' });
      case 'reason':
        return input(f, 'dwg.workOrders.reason', { multiline: true });
      case 'into':
        return input(f, 'dwg.workOrders.into');
      default:
        return input(f, 'dwg.alarms.comment', { multiline: true });
    }
  };
  return (
    <>
      <MuiButton
        size="small"
        variant={props.variant ?? 'outlined'}
        data-testid={`action-${name}`}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        {translate(props.label)}
      </MuiButton>
      <Dialog open={open} onClose={() => setOpen(false)} onClick={(e) => e.stopPropagation()} fullWidth>
        <DialogTitle>{translate(props.label)}</DialogTitle>
        <DialogContent>{open && fields.map(fieldOf)}</DialogContent>
        <DialogActions>
          <MuiButton onClick={() => setOpen(false)}>{translate('ra.action.cancel')}</MuiButton>
          <MuiButton variant="contained" disabled={busy} onClick={submit} data-testid="action-submit">
            {translate('ra.action.confirm')}
          </MuiButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
