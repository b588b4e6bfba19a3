// An operator manager acknowledges an alarm the worker raised, in the console, against the real alarms api.
import { env, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';

describe('console: alarms', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
    await login(s.page, 'yc.manager');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('an operator manager acknowledges an open alarm', async () => {
    const token = await apiToken('yc.manager');
    // The simulator's faults (offline devices) and the worker's rules raise alarms; wait for one.
    let open: { id: string }[] = [];
    for (let i = 0; i < 120 && !open.length; i++) {
      open = await apiGet(token, '/api/alarms', { filter: { status: 'open' }, range: [0, 0] });
      if (!open.length) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(open.length).toBe(1);
    const id = open[0].id;
    await s.page.goto(`${env('ADMIN_URL')}/#/alarms/${encodeURIComponent(id)}/show`);
    await s.page.getByTestId('action-acknowledge').click();
    await s.page.getByTestId('action-comment').fill('已安排人员处理');
    await s.page.getByTestId('action-submit').click();
    await s.page.getByTestId('action-acknowledge').waitFor({ state: 'detached' });
    const after = await apiGet<{ status: string }>(token, `/api/alarms/${encodeURIComponent(id)}`);
    expect(after.status).toBe('acknowledged');
  });
});
