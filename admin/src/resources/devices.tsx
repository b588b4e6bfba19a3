import { useState } from 'react';
import KeyIcon from '@mui/icons-material/VpnKey';
import {
  Button,
  Confirm,
  EditButton,
  TopToolbar,
  useNotify,
  usePermissions,
  useRecordContext,
  useTranslate,
  Create,
  SimpleForm,
  TextInput,
  SelectInput,
  ReferenceInput,
  AutocompleteInput,
  BooleanInput,
} from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { dataProvider } from '../services';
import { can } from '../lib/permissions';
import { makeEdit, makeList, makeShow } from './generic';
import { specOf } from './specs';
import { SecretDialog } from './SecretDialog';

const spec = specOf('devices');

function RotateButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const [confirm, setConfirm] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  if (!record) return null;
  return (
    <>
      <Button label="dwg.devices.rotate" onClick={() => setConfirm(true)}>
        <KeyIcon />
      </Button>
      <Confirm
        isOpen={confirm}
        title="dwg.devices.rotate"
        content="dwg.devices.rotateConfirm"
        onConfirm={async () => {
          setConfirm(false);
          try {
            const { data } = await dataProvider.rotateCredentials(String(record.id));
            setSecret(data.secret);
          } catch (e) {
            notify((e as Error).message, { type: 'error' });
          }
        }}
        onClose={() => setConfirm(false)}
      />
      {secret && (
        <SecretDialog secret={secret} deviceId={String(record.id)} onClose={() => setSecret(null)} />
      )}
    </>
  );
}

function DeviceShowActions() {
  const { permissions } = usePermissions();
  if (!can(permissions as string, 'devices', 'write')) return <TopToolbar />;
  return (
    <TopToolbar>
      <RotateButton />
      <EditButton />
    </TopToolbar>
  );
}

/** Create returns the new device with its secret once; show it before leaving the page. */
function DeviceCreate() {
  const translate = useTranslate();
  const navigate = useNavigate();
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const kinds = ['gps', 'badge'].map((k) => ({ id: k, name: translate(`enums.deviceKind.${k}`) }));
  return (
    <>
      <Create
        mutationOptions={{
          onSuccess: (data: { id: string; secret?: string }) => {
            if (data.secret) setCreated({ id: data.id, secret: data.secret });
            else navigate(`/devices/${encodeURIComponent(data.id)}/show`);
          },
        }}
      >
        <SimpleForm>
          <TextInput source="id" required />
          <SelectInput source="kind" choices={kinds} required />
          <ReferenceInput source="contractId" reference="contracts">
            <AutocompleteInput optionText="code" />
          </ReferenceInput>
          <ReferenceInput source="vehicleId" reference="vehicles">
            <AutocompleteInput optionText="plate" />
          </ReferenceInput>
          <ReferenceInput source="workerId" reference="workers">
            <AutocompleteInput optionText="name" />
          </ReferenceInput>
          <BooleanInput source="enabled" defaultValue />
          <TextInput source="label" />
        </SimpleForm>
      </Create>
      {created && (
        <SecretDialog
          secret={created.secret}
          deviceId={created.id}
          onClose={() => navigate(`/devices/${encodeURIComponent(created.id)}/show`)}
        />
      )}
    </>
  );
}

export const devices = {
  list: makeList(spec),
  show: makeShow(spec, undefined, <DeviceShowActions />),
  edit: makeEdit(spec),
  create: DeviceCreate,
};
