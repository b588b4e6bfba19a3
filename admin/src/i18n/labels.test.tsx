import { render, waitFor } from '@testing-library/react';
import { AdminContext, ResourceContextProvider, TestMemoryRouter, type DataProvider } from 'react-admin';
import { Route, Routes } from 'react-router-dom';
import { i18nProvider } from './i18nProvider';
import { en } from './en';
import { zh } from './zh';
import { SPECS } from '../resources/specs';
import { AssessmentList, AssessmentShow } from '../resources/assessments';
import { AlarmList, AlarmShow } from '../resources/alarms';
import { TaskList, TaskShow } from '../resources/tasks';
import { WorkOrderList, WorkOrderShow } from '../resources/workOrders';

// The console's singletons read Vite's import.meta; these pages get their data from the test's provider.
jest.mock('../services', () => ({ dataProvider: {}, api: {}, config: {} }));

/**
 * The console speaks Chinese by default: every label it shows has a zh-CN message. A field without one would show
 * react-admin's humanised English source name ("Total deduction"), so a label with Latin letters is a miss.
 */
const RECORDS: Record<string, Record<string, unknown>> = {
  assessments: {
    id: 'a1',
    month: '2026-11',
    contractId: 'c1',
    contractCode: 'BY-2025-HW-01',
    score: 80.77,
    totalDeduction: 19.23,
    status: 'draft',
    approvedBy: null,
    contentHash: null,
    subtotals: [{ ruleId: 'absent_worker_shift', label: '人员缺勤', count: 19, points: 3.8 }],
    kpis: [{ line: 'sanitation', cell: { rates: { attendanceRate: 0.91 } } }],
    deductions: [
      {
        id: 'd1',
        ruleId: 'absent_worker_shift',
        label: '人员缺勤',
        day: '2026-11-01',
        points: 0.2,
        evidence: [],
      },
    ],
    allowedActions: ['approve'],
  },
  alarms: {
    id: 'al1',
    type: 'overspeed',
    status: 'open',
    contractId: 'c1',
    deviceId: 'veh-0011',
    subjectKind: 'vehicle',
    subjectId: 'vehicle-011',
    openedAt: '2026-11-27T09:49:40.191Z',
    history: [{ status: 'open', at: '2026-11-27T09:49:40.191Z', by: 'worker' }],
  },
  tasks: {
    id: 't1',
    name: '保洁1班早班',
    day: '2026-11-27',
    contractId: 'c1',
    kind: 'post',
    status: 'pending',
    subjectKind: 'worker',
    subjectIds: ['worker-001'],
    windowStart: '2026-11-26T22:00:00.000Z',
    windowEnd: '2026-11-27T06:00:00.000Z',
  },
  'work-orders': {
    id: 'w1',
    contractId: 'c1',
    category: 'litter',
    description: '人行道垃圾堆积',
    state: 'dispatched',
    reportedAt: '2026-11-27T09:00:00.000Z',
    dueAt: '2026-11-27T10:00:00.000Z',
    location: { lng: 113.26, lat: 23.17 },
    history: [
      { at: '2026-11-27T09:00:00.000Z', action: 'dispatch', to: 'dispatched', by: { username: 'x' } },
    ],
    photos: [],
  },
  contracts: { id: 'c1', code: 'BY-2025-HW-01' },
  categories: { id: 'litter', code: 'litter', name: 'Litter', nameZh: '垃圾散落' },
  teams: { id: 'tm1', name: '保洁1班' },
};

const dataProvider = {
  getList: async (resource: string) => {
    const r = RECORDS[resource];
    return { data: r ? [r] : [], total: r ? 1 : 0 };
  },
  getOne: async (resource: string) => ({ data: RECORDS[resource] }),
  getMany: async (resource: string) => ({ data: RECORDS[resource] ? [RECORDS[resource]] : [] }),
  getManyReference: async () => ({ data: [], total: 0 }),
} as unknown as DataProvider;

function inConsole(resource: string, ui: React.ReactNode, path = `/${resource}`) {
  return render(
    <TestMemoryRouter initialEntries={[path]}>
      <AdminContext dataProvider={dataProvider} i18nProvider={i18nProvider}>
        <ResourceContextProvider value={resource}>
          <Routes>
            <Route path={`/${resource}/:id/show`} element={ui} />
            <Route path={`/${resource}`} element={ui} />
          </Routes>
        </ResourceContextProvider>
      </AdminContext>
    </TestMemoryRouter>,
  );
}

// Codes that read the same in Chinese.
const ALLOWED = /\b(KPI|XLSX|PDF|CSV|SOS|GPS)\b/g;
const latin = (texts: string[]) => texts.filter((t) => /[A-Za-z]/.test(t.replace(ALLOWED, '')));

describe('console labels in zh-CN', () => {
  it('names every field of every resource table in both languages', () => {
    const fields = (m: typeof zh | typeof en, r: string) =>
      ((m.resources as Record<string, { fields?: Record<string, string> }>)[r]?.fields ?? {}) as Record<
        string,
        string
      >;
    const missing = SPECS.flatMap((s) =>
      s.fields
        .filter((f) => !fields(zh, s.name)[f.source] || !fields(en, s.name)[f.source])
        .map((f) => `${s.name}.${f.source}`),
    );
    expect(missing).toEqual([]);
  });

  // Each page with the codes of its record that must be shown in words (status, type, kind, state, line, category).
  const pages: [string, React.ComponentType, React.ComponentType, string[]][] = [
    ['assessments', AssessmentShow, AssessmentList, ['draft', 'sanitation']],
    ['alarms', AlarmShow, AlarmList, ['overspeed', 'open', 'vehicle ']],
    ['tasks', TaskShow, TaskList, ['pending', 'post', 'worker ']],
    ['work-orders', WorkOrderShow, WorkOrderList, ['dispatched', 'Litter', 'litter']],
  ];
  it.each(pages)(
    'shows %s with Chinese labels, headers and coded values',
    async (resource, Show, List, codes) => {
      const shown = inConsole(resource, <Show />, `/${resource}/${String(RECORDS[resource].id)}/show`);
      await waitFor(() => expect(document.querySelectorAll('.RaLabeled-label').length).toBeGreaterThan(3));
      const labels = [...document.querySelectorAll('.RaLabeled-label, th')].map((e) => e.textContent ?? '');
      expect(latin(labels)).toEqual([]);
      await waitFor(() => expect(document.body.textContent).toContain('BY-2025-HW-01'));
      const text = document.body.textContent ?? '';
      expect(codes.filter((c) => text.includes(c))).toEqual([]);
      shown.unmount();

      inConsole(resource, <List />);
      await waitFor(() => expect(document.querySelectorAll('tbody tr').length).toBeGreaterThan(0));
      const headers = [...document.querySelectorAll('thead th')].map((e) => e.textContent ?? '');
      expect(latin(headers)).toEqual([]);
    },
  );
});
