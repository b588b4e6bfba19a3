import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { profile } from '@dwg/local-stack';
import { env, listColumn, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';

async function mqttConnects(username: string, password: string): Promise<boolean> {
  try {
    const c = await mqtt.connectAsync(env('MQTT_URL'), {
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    await c.endAsync();
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

describe('console: an operator manager', () => {
  let s: Session;
  let token: string;
  beforeAll(async () => {
    s = await openBrowser();
    token = await apiToken('yc.manager');
    await login(s.page, 'yc.manager');
  });
  afterAll(async () => {
    await s?.close();
  });

  it("sees their operator's contracts only", async () => {
    const own = (await apiGet<{ code: string }[]>(token, '/api/contracts', { range: [0, 99] }))
      .map((c) => c.code)
      .sort();
    await s.page.goto(`${env('ADMIN_URL')}/#/contracts`);
    expect((await listColumn(s.page, 'code')).sort()).toEqual(own);
    expect(own.every((c) => c.includes('HW'))).toBe(true);
  });

  it('has the write buttons a reviewer does not (the selectors of the reviewer spec match real buttons)', async () => {
    await s.page.goto(`${env('ADMIN_URL')}/#/vehicles`);
    await s.page.locator('tbody .RaDatagrid-row').first().waitFor();
    expect(await s.page.locator('.RaCreateButton-root').count()).toBeGreaterThan(0);
    expect(await s.page.locator('.RaDatagrid-table input[type="checkbox"]').count()).toBeGreaterThan(0);
    await s.page.locator('tbody .RaDatagrid-row').first().locator('td').last().click();
    await s.page.locator('.RaEditButton-root').first().waitFor();
  });

  it('rotates a device credential: the new secret is shown once and works on the broker, the old one stops', async () => {
    // A badge the simulator does not drive (it runs the first 60), so the rotation disturbs no running device.
    const devices = await apiGet<{ id: string }[]>(token, '/api/devices', {
      filter: { kind: 'badge' },
      sort: ['id', 'DESC'],
      range: [0, 0],
    });
    const id = devices[0].id;
    const creds = join(profile('test').dataDir, 'sim-credentials.json');
    const simulated = existsSync(creds)
      ? (JSON.parse(readFileSync(creds, 'utf8')) as { devices: { deviceId: string; secret: string }[] })
          .devices
      : [];
    const old = simulated.find((d) => d.deviceId === id)?.secret;
    await s.page.goto(`${env('ADMIN_URL')}/#/devices/${encodeURIComponent(id)}/show`);
    await s.page.getByText('重新签发密钥').click();
    await s.page.locator('.RaConfirm-confirmPrimary, button:has-text("确认")').first().click();
    const secretInput = s.page.getByTestId('device-secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(await eventually(() => mqttConnects(id, secret))).toBe(true);
    if (old) expect(await mqttConnects(id, old)).toBe(false);
    await s.page.getByRole('button', { name: '关闭' }).click();
    await s.page.getByTestId('secret-dialog').waitFor({ state: 'detached' });
    expect(await s.page.content()).not.toContain(secret);
    await s.page.reload();
    await s.page.getByText('重新签发密钥').waitFor();
    expect(await s.page.content()).not.toContain(secret);
  });

  it("shows the api's validation message on the field it is about", async () => {
    const [route] = await apiGet<{ id: string; passesPerDay: number }[]>(token, '/api/routes', {
      range: [0, 0],
    });
    await s.page.goto(`${env('ADMIN_URL')}/#/routes/${encodeURIComponent(route.id)}`);
    const passes = s.page.locator('input[name="passesPerDay"]');
    await passes.waitFor();
    await passes.fill('99');
    await s.page.locator('button[type="submit"]').click();
    await s.page
      .locator('.ra-input-passesPerDay')
      .getByText('passesPerDay must not be greater than 24')
      .waitFor({ timeout: 15_000 });
    const after = await apiGet<{ passesPerDay: number }>(
      token,
      `/api/routes/${encodeURIComponent(route.id)}`,
    );
    expect(after.passesPerDay).toBe(route.passesPerDay);
  });

  it('redraws a route on the map and the api stores the new line', async () => {
    const [route] = await apiGet<{ id: string; lengthM: number; geometry: { coordinates: number[][] } }[]>(
      token,
      '/api/routes',
      { range: [1, 1] },
    );
    await s.page.goto(`${env('ADMIN_URL')}/#/routes/${encodeURIComponent(route.id)}`);
    const map = s.page.getByTestId('geometry-map');
    await map.waitFor();
    await s.page.waitForTimeout(1000); // the map fits the current line once the record is in the form
    const box = (await map.boundingBox())!;
    for (const [fx, fy] of [
      [0.3, 0.5],
      [0.5, 0.45],
      [0.7, 0.5],
    ]) {
      await s.page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
      await s.page.waitForTimeout(400); // apart, so two clicks never read as a double-click
    }
    const finish = s.page.getByRole('button', { name: '完成' });
    await s.page.waitForFunction(() =>
      [...document.querySelectorAll('button')].some((b) => b.textContent === '完成' && !b.disabled),
    );
    await finish.click();
    const saved = s.page.waitForResponse(
      (r) => r.request().method() === 'PUT' && r.url().includes('/api/routes/'),
    );
    await s.page.locator('button[type="submit"]').click();
    const res = await saved;
    expect(`${res.status()} ${await res.text()} sent ${res.request().postData()}`).toMatch(/^200 /);
    const sent = JSON.parse(res.request().postData() ?? '{}') as { geometry?: { coordinates: number[][] } };
    expect(sent.geometry?.coordinates.length).toBeGreaterThanOrEqual(2);
    const after = await apiGet<typeof route>(token, `/api/routes/${encodeURIComponent(route.id)}`);
    expect(after.geometry).toEqual(sent.geometry);
  });
});
