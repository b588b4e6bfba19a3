// The live map against the real live snapshot and SSE stream, with ingest and the simulator of the e2e stack.
import { login, openBrowser, env, type Session } from '../browser';
import { apiGet, apiToken } from '../api';

describe('console: the live map', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
    await login(s.page, 'yc.manager');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('shows the vehicles in scope and moves them as the stream reports', async () => {
    await s.page.goto(`${env('ADMIN_URL')}/#/map`);
    await s.page.getByTestId('live-map').waitFor();
    await s.page.waitForFunction(() => Object.keys(window.__dwgLive?.positions() ?? {}).length > 0, null, {
      timeout: 60_000,
    });
    const before = await s.page.evaluate(() => window.__dwgLive!.positions());
    // Only this operator's devices: the simulator runs both operators' vehicles.
    expect(Object.keys(before).length).toBeGreaterThan(0);
    const snapshot = await apiGet<{ items: { deviceId: string }[] }>(
      await apiToken('yc.manager'),
      '/api/live/snapshot',
    );
    const inScope = new Set(snapshot.items.map((i) => i.deviceId));
    expect(Object.keys(before).filter((id) => !inScope.has(id))).toEqual([]);
    const all = await apiGet<{ items: unknown[] }>(await apiToken('admin'), '/api/live/snapshot');
    expect(all.items.length).toBeGreaterThan(inScope.size);
    await s.page.waitForFunction(
      (b) => {
        const now = window.__dwgLive!.positions();
        return Object.entries(b).some(([id, p]) => now[id] && (now[id][0] !== p[0] || now[id][1] !== p[1]));
      },
      before,
      { timeout: 90_000 },
    );
    expect(await s.page.evaluate(() => window.__dwgLive!.moves)).toBeGreaterThan(0);
    const counted = Number(await s.page.getByTestId('live-count').innerText());
    expect(counted).toBe(Object.keys(await s.page.evaluate(() => window.__dwgLive!.positions())).length);
  });

  it('opens the details of a vehicle on click: current task, last report, battery', async () => {
    const id = await s.page.evaluate(() =>
      Object.keys(window.__dwgLive!.positions()).find((k) => k.startsWith('veh-')),
    );
    expect(id).toBeDefined();
    const pt = await s.page.evaluate((d) => window.__dwgLive!.pointOf(d), id!);
    const box = await s.page.getByTestId('live-map').boundingBox();
    await s.page.mouse.click(box!.x + pt![0], box!.y + pt![1]);
    const popup = s.page.locator('.leaflet-popup-content');
    await popup.getByText('当前任务').waitFor();
    await popup.getByText('最后上报').waitFor();
    await popup.getByText('电量').waitFor();
  });
});
