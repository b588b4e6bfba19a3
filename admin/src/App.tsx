import { Admin, CustomRoutes, Resource, defaultDarkTheme, defaultLightTheme } from 'react-admin';
import { Route } from 'react-router-dom';
import { authProvider, dataProvider } from './services';
import { i18nProvider } from './i18n/i18nProvider';
import { Layout } from './layout/Layout';
import { Dashboard } from './dashboard/Dashboard';
import { LiveMap } from './map/LiveMap';
import { Playback } from './playback/Playback';
import { SPECS } from './resources/specs';
import { makeCreate, makeEdit, makeList, makeShow } from './resources/generic';
import { devices } from './resources/devices';
import { AlarmList, AlarmShow } from './resources/alarms';
import { TaskList, TaskShow } from './resources/tasks';
import { WorkOrderBoard, WorkOrderCreate, WorkOrderList, WorkOrderShow } from './resources/workOrders';
import { AssessmentList, AssessmentShow } from './resources/assessments';
import { can } from './lib/permissions';

const custom: Record<
  string,
  {
    list: React.ComponentType;
    show: React.ComponentType;
    edit?: React.ComponentType;
    create?: React.ComponentType;
  }
> = {
  devices,
  alarms: { list: AlarmList, show: AlarmShow },
  tasks: { list: TaskList, show: TaskShow },
  'work-orders': { list: WorkOrderList, show: WorkOrderShow, create: WorkOrderCreate },
  assessments: { list: AssessmentList, show: AssessmentShow },
};

const generic = Object.fromEntries(
  SPECS.map((s) => [
    s.name,
    {
      list: makeList(s),
      show: makeShow(s),
      edit: s.readOnly ? undefined : makeEdit(s),
      create: s.readOnly ? undefined : makeCreate(s),
    },
  ]),
);

/** How a record is named in titles and references where the spec table has no label field. */
const REPRESENTATION: Record<string, (r: Record<string, unknown>) => string> = {
  assessments: (r) => `${String(r.contractCode ?? r.contractId ?? '')} ${String(r.month ?? '')}`.trim(),
  tasks: (r) => String(r.name ?? r.id),
};

const ALL = [...SPECS.map((s) => s.name), 'alarms', 'tasks', 'work-orders', 'assessments'];

/**
 * The console. Resources are registered per role: a role without the write permission gets no edit or create
 * views, so react-admin renders no write buttons for it (the api would refuse them anyway).
 */
export function App() {
  return (
    <Admin
      title="大物管"
      dataProvider={dataProvider as never}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      layout={Layout}
      dashboard={Dashboard}
      lightTheme={defaultLightTheme}
      darkTheme={defaultDarkTheme}
      requireAuth
      disableTelemetry
    >
      {(role: string) => [
        ...ALL.filter((name) => can(role, name, 'read')).map((name) => {
          const views = { ...generic[name], ...custom[name] };
          const writable = can(role, name, 'write');
          return (
            <Resource
              key={name}
              name={name}
              list={views.list}
              show={views.show}
              edit={writable ? views.edit : undefined}
              create={writable ? views.create : undefined}
              recordRepresentation={REPRESENTATION[name] ?? SPECS.find((s) => s.name === name)?.recordLabel}
            />
          );
        }),
        <CustomRoutes key="custom">
          <Route path="/map" element={<LiveMap />} />
          <Route path="/playback" element={<Playback />} />
          <Route path="/board" element={<WorkOrderBoard />} />
        </CustomRoutes>,
      ]}
    </Admin>
  );
}
