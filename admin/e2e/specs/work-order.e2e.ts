// A work order through its life in the console: screening → dispatch (team, category) → accept → start → resolve
// with a result photo → verify (closed, fixed), against the real api (docs/work-orders.md).
import { env, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';
import { tinyPng } from '../fixtures';

// A category the platform does not know: the order waits in screening until a dispatcher dispatches it.
async function createWorkOrder(token: string): Promise<string> {
  const fd = new FormData();
  fd.append('category', 'e2e_unsorted');
  fd.append('description', '人行道垃圾堆积');
  fd.append('lng', '113.262');
  fd.append('lat', '23.171');
  fd.append('photos', new Blob([new Uint8Array(tinyPng())], { type: 'image/png' }), 'report.png');
  const res = await fetch(`${env('API_URL')}/api/work-orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: fd,
  });
  if (!res.ok) throw new Error(`create work order: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

type Step = {
  select?: Record<string, string>;
  fill?: Record<string, string>;
  photo?: boolean;
};

async function act(s: Session, action: string, step: Step = {}) {
  await s.page.getByTestId(`action-${action}`).first().click();
  for (const [f, v] of Object.entries(step.select ?? {}))
    await s.page.getByTestId(`action-${f}`).selectOption(v);
  for (const [f, v] of Object.entries(step.fill ?? {})) await s.page.getByTestId(`action-${f}`).fill(v);
  if (step.photo)
    await s.page
      .getByTestId('action-photo')
      .setInputFiles({ name: 'result.png', mimeType: 'image/png', buffer: tinyPng() });
  await s.page.getByTestId('action-submit').click();
  // resolve runs the close-out check over the team's badge fixes since dispatch: on a test stack that has been
  // ingesting for a while that read of telemetry takes tens of seconds on FerretDB.
  await s.page.getByTestId('action-submit').waitFor({ state: 'detached', timeout: 120_000 });
}

describe('console: work orders', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
    await login(s.page, 'yc.manager');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an operator manager dispatches a screened work order and closes it after a resolve with a photo', async () => {
    const token = await apiToken('yc.manager');
    const id = await createWorkOrder(await apiToken('yc.worker'));
    const created = await apiGet<{ state: string; contractId: string | null }>(
      token,
      `/api/work-orders/${encodeURIComponent(id)}`,
    );
    expect(created.state).toBe('screening');
    const [team] = await apiGet<{ id: string }[]>(token, '/api/teams', {
      filter: { contractId: created.contractId, serviceLine: 'sanitation' },
      range: [0, 0],
    });
    await s.page.goto(`${env('ADMIN_URL')}/#/board`);
    await s.page.getByTestId('board-screening').getByText('人行道垃圾堆积').first().waitFor();
    await s.page.goto(`${env('ADMIN_URL')}/#/work-orders/${encodeURIComponent(id)}/show`);
    await s.page.getByTestId('photos-report').locator('img').first().waitFor();
    await act(s, 'dispatch', {
      select: { teamId: team.id, category: 'litter' },
      fill: { reason: '人工分拣' },
    });
    await s.page.getByTestId('action-accept').waitFor();
    await act(s, 'accept');
    await s.page.getByTestId('action-start').waitFor();
    await act(s, 'start');
    await s.page.getByTestId('action-resolve').waitFor();
    await act(s, 'resolve', { photo: true, fill: { comment: '已清理 (e2e)' } });
    await s.page.getByTestId('action-verify').waitFor();
    await act(s, 'verify', { fill: { comment: '现场已复核 (e2e)' } });
    const after = await apiGet<{
      state: string;
      category: string;
      teamId: string;
      fixed: boolean;
      photos: { kind: string }[];
    }>(token, `/api/work-orders/${encodeURIComponent(id)}`);
    expect(after).toMatchObject({ state: 'closed', category: 'litter', teamId: team.id, fixed: true });
    expect(after.photos.filter((p) => p.kind === 'result')).toHaveLength(1);
    await s.page.getByTestId('photos-result').locator('img').first().waitFor();
  });
});
