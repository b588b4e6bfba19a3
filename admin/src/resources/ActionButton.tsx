import { useState } from 'react';
import {
  Button as MuiButton,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField as MuiTextField,
} from '@mui/material';
import { useNotify, useRefresh, useTranslate } from 'react-admin';
import { dataProvider } from '../services';

/**
 * One api action on a record (acknowledge an alarm, dispatch a work order, appeal a deduction…): a dialog asks for
 * a comment and, where the action needs them, an assignee or a photo; the api's answer (or its 409 naming the
 * allowed actions) is shown as a notification.
 */
export function ActionButton(props: {
  resource: string;
  id: string | number;
  /** Path after /api/<resource>/:id/, e.g. "acknowledge" or "actions/dispatch". */
  path: string;
  label: string;
  withAssignee?: boolean;
  withPhoto?: boolean;
  variant?: 'text' | 'outlined' | 'contained';
  onDone?: () => void;
}) {
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState('');
  const [assigneeId, setAssigneeId] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const name = props.path.split('/').pop()!;
  const submit = async () => {
    setBusy(true);
    try {
      let body: unknown = { comment: comment || undefined, ...(assigneeId ? { assigneeId } : {}) };
      if (props.withPhoto) {
        const fd = new FormData();
        if (comment) fd.append('comment', comment);
        if (assigneeId) fd.append('assigneeId', assigneeId);
        if (photo) fd.append('photos', photo, photo.name);
        body = fd;
      }
      await dataProvider.action(props.resource, props.id, props.path, body);
      notify('dwg.alarms.done', { type: 'success' });
      setOpen(false);
      setComment('');
      setPhoto(null);
      refresh();
      props.onDone?.();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
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
        <DialogContent>
          {props.withAssignee && (
            <MuiTextField
              label={translate('dwg.workOrders.assignee')}
              value={assigneeId}
              onChange={(e) => setAssigneeId(e.target.value)}
              fullWidth
              margin="dense"
              slotProps={{ htmlInput: { 'data-testid': 'action-assignee' } }}
            />
          )}
          <MuiTextField
            label={translate('dwg.alarms.comment')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            fullWidth
            multiline
            margin="dense"
            slotProps={{ htmlInput: { 'data-testid': 'action-comment' } }}
          />
          {props.withPhoto && (
            <input
              type="file"
              accept="image/*"
              data-testid="action-photo"
              onChange={(e) => setPhoto(e.target.files?.[0] ?? null)}
              style={{ marginTop: 12 }}
            />
          )}
        </DialogContent>
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
