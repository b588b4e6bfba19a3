import { demoUsers } from '../stack';
import { login, openBrowser, type Session } from '../browser';

describe('console: login, language and theme', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lets every demo login in and shows the console in Chinese by default', async () => {
    for (const u of demoUsers()) {
      const page = s.page;
      await login(page, u.username);
      await page.getByRole('menuitem', { name: '实时地图' }).waitFor();
      await page.getByRole('menuitem', { name: '一网统管' }).waitFor();
      // The role decides the menu: only managers (and admin) manage users.
      const users = await page.getByRole('menuitem', { name: '用户' }).count();
      expect([u.username, users]).toEqual([
        u.username,
        ['admin', 'operator_manager'].includes(u.role) ? 1 : 0,
      ]);
    }
  });

  it('refuses a wrong password with the message of the api', async () => {
    const page = await s.context.newPage();
    await page.goto(`${process.env.DWG_E2E_ADMIN_URL}/#/login`);
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${process.env.DWG_E2E_ADMIN_URL}/#/login`);
    await page.locator('input[name="username"]').fill('yc.manager');
    await page.locator('input[name="password"]').fill('not the password');
    await page.locator('button[type="submit"]').click();
    await page.getByText('invalid username or password').waitFor();
    expect(page.url()).toContain('/login');
    await page.close();
  });

  it('switches to English and to the dark theme', async () => {
    const page = s.page;
    await login(page, 'yc.dispatcher');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByRole('menuitem', { name: 'Live map' }).waitFor();
    const bgBefore = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.getByRole('button', { name: 'Toggle light/dark mode' }).click();
    await page.waitForFunction(
      (before) => getComputedStyle(document.body).backgroundColor !== before,
      bgBefore,
    );
  });
});
