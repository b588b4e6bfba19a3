// Needs /api/work-orders with actions and photos (issue 5). Moves to e2e/specs/ once merged.
import { env, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';
import { tinyPng } from '../fixtures';

async function createWorkOrder(token: string, contractId: string): Promise<string> {
  const fd = new FormData();
  fd.append('contractId', contractId);
  fd.append('description', '人行道垃圾堆积');
  fd.append('lng', '113.262');
  fd.append('lat', '23.171');
  const categories = await apiGet<{ id: string }[]>(token, '/api/categories', { range: [0, 0] });
  if (categories[0]) fd.append('category', categories[0].id);
  fd.append('photos', new Blob([new Uint8Array(tinyPng())], { type: 'image/png' }), 'report.png');
  const res = await fetch(`${env('API_URL')}/api/work-orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: fd,
  });
  if (!res.ok) throw new Error(`create work order: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function act(s: Session, action: string, opts: { assignee?: string; photo?: boolean } = {}) {
  await s.page.getByTestId(`action-${action}`).first().click();
  if (opts.assignee) await s.page.getByTestId('action-assignee').fill(opts.assignee);
  if (opts.photo)
    await s.page
      .getByTestId('action-photo')
      .setInputFiles({ name: 'result.png', mimeType: 'image/png', buffer: tinyPng() });
  await s.page.getByTestId('action-comment').fill(`${action} (e2e)`);
  await s.page.getByTestId('action-submit').click();
  await s.page.getByTestId('action-submit').waitFor({ state: 'detached' });
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

  it('an operator manager dispatches a reported work order and closes it with a result photo', async () => {
    const token = await apiToken('yc.manager');
    const [contract] = await apiGet<{ id: string }[]>(token, '/api/contracts', { range: [0, 0] });
    const [worker] = await apiGet<{ id: string }[]>(token, '/api/workers', {
      filter: { contractId: contract.id },
      range: [0, 0],
    });
    const id = await createWorkOrder(await apiToken('yc.worker'), contract.id);
    await s.page.goto(`${env('ADMIN_URL')}/#/board`);
    await s.page.getByTestId('board-reported').getByText('人行道垃圾堆积').first().waitFor();
    await s.page.goto(`${env('ADMIN_URL')}/#/work-orders/${encodeURIComponent(id)}/show`);
    await s.page.getByTestId('photos-photos').locator('img').first().waitFor();
    await act(s, 'dispatch', { assignee: worker.id });
    for (const [action, photo] of [
      ['accept', false],
      ['start', false],
      ['resolve', true],
    ] as const) {
      if (await s.page.getByTestId(`action-${action}`).count()) await act(s, action, { photo });
    }
    await act(s, 'close');
    const after = await apiGet<{ state: string; resultPhotos?: unknown[] }>(
      token,
      `/api/work-orders/${encodeURIComponent(id)}`,
    );
    expect(after.state).toBe('closed');
    await s.page.getByTestId('photos-resultPhotos').locator('img').first().waitFor();
  });
});
