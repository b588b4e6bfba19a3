import { listColumn, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';
import { env } from '../browser';
import { zh } from '../../src/i18n/zh';

const WRITE_BUTTONS =
  '.RaCreateButton-root, .RaEditButton-root, .RaDeleteButton-root, .RaDeleteWithConfirmButton-root';

/** Opens a list and waits for its own rows: the title names the resource once its list has rendered. */
async function gotoList(s: Session, resource: keyof typeof zh.resources) {
  await s.page.goto(`${env('ADMIN_URL')}/#/${resource}`);
  await s.page.locator('#react-admin-title').getByText(zh.resources[resource].name).waitFor();
  await s.page
    .locator('tbody .RaDatagrid-row, .RaList-noResults, .RaEmpty-message')
    .first()
    .waitFor({ timeout: 30_000 });
}

describe('console: a government reviewer', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
    await login(s.page, 'bycg.reviewer');
  });
  afterAll(async () => {
    await s?.close();
  });

  it("sees only their agency's contracts", async () => {
    const token = await apiToken('admin');
    const agencies = await apiGet<{ id: string; code: string }[]>(token, '/api/agencies', {
      filter: { code: 'baiyun-cg' },
    });
    const all = await apiGet<{ code: string; agencyId: string }[]>(token, '/api/contracts', {
      range: [0, 99],
    });
    const own = all
      .filter((c) => c.agencyId === agencies[0].id)
      .map((c) => c.code)
      .sort();
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBeLessThan(all.length);
    await gotoList(s, 'contracts');
    expect((await listColumn(s.page, 'code')).sort()).toEqual(own);
  });

  it('gets read-only views: no create, edit, delete, bulk or credential buttons', async () => {
    for (const resource of [
      'contracts',
      'zones',
      'routes',
      'sites',
      'vehicles',
      'teams',
      'workers',
      'devices',
      'shifts',
    ] as const) {
      await gotoList(s, resource);
      expect([resource, await s.page.locator(WRITE_BUTTONS).count()]).toEqual([resource, 0]);
      expect([resource, await s.page.locator('.RaDatagrid-table input[type="checkbox"]').count()]).toEqual([
        resource,
        0,
      ]);
      const rows = s.page.locator('tbody .RaDatagrid-row');
      if ((await rows.count()) > 0) {
        await rows.first().locator('td').last().click();
        await s.page.locator('.RaShow-main, .RaShow-card').first().waitFor();
        expect([resource, await s.page.locator(WRITE_BUTTONS).count()]).toEqual([resource, 0]);
        expect(await s.page.getByText('重新签发密钥').count()).toBe(0);
      }
    }
    // Forms are not even routed for a reviewer.
    await s.page.goto(`${env('ADMIN_URL')}/#/zones/create`);
    await s.page.waitForTimeout(500);
    expect(await s.page.locator('form .RaToolbar-defaultToolbar button[type="submit"]').count()).toBe(0);
  });
});
