import { useState } from 'react';
import {
  Button as MuiButton,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField as MuiTextField,
} from '@mui/material';
import { useTranslate } from 'react-admin';

/** The secret of a device, shown once: after this dialog closes nobody can read it again. */
export function SecretDialog({
  secret,
  deviceId,
  onClose,
}: {
  secret: string;
  deviceId: string;
  onClose: () => void;
}) {
  const translate = useTranslate();
  const [copied, setCopied] = useState(false);
  return (
    <Dialog open onClose={onClose} data-testid="secret-dialog">
      <DialogTitle>{translate('dwg.devices.secretTitle')}</DialogTitle>
      <DialogContent>
        <DialogContentText>{translate('dwg.devices.secretHint')}</DialogContentText>
        <MuiTextField
          label={deviceId}
          value={secret}
          fullWidth
          margin="normal"
          slotProps={{ input: { readOnly: true }, htmlInput: { 'data-testid': 'device-secret' } }}
        />
      </DialogContent>
      <DialogActions>
        <MuiButton
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true));
          }}
        >
          {copied ? translate('dwg.devices.copied') : translate('dwg.devices.copy')}
        </MuiButton>
        <MuiButton variant="contained" onClick={onClose}>
          {translate('ra.action.close')}
        </MuiButton>
      </DialogActions>
    </Dialog>
  );
}
