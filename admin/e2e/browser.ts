import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { demoUser } from './stack';

/**
 * Debian's Chromium driven by playwright-core (no browser download). As root Chromium needs --no-sandbox; the
 * other flags keep it from reaching the network on its own, and a fresh profile folder per run keeps runs apart.
 */
export interface Session {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

export function env(name: 'ADMIN_URL' | 'API_URL' | 'MQTT_URL' | 'CHROMIUM'): string {
  const v = process.env[`DWG_E2E_${name}`];
  if (!v) throw new Error(`DWG_E2E_${name} is not set: run through the e2e jest project (npm run test:e2e)`);
  return v;
}

export async function openBrowser(
  opts: { executablePath?: string; downloads?: boolean } = {},
): Promise<Session> {
  const profileDir = mkdtempSync(join(tmpdir(), 'dwg-chromium-'));
  // A persistent context is how playwright takes a profile folder (it refuses --user-data-dir in the arguments).
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: opts.executablePath ?? env('CHROMIUM'),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: opts.downloads ?? true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Logs in through the login form with a demo login and waits for the dashboard. */
export async function login(page: Page, username: string, adminUrl = env('ADMIN_URL')): Promise<void> {
  const u = demoUser(username);
  await page.goto(`${adminUrl}/#/login`);
  // One browser profile serves several users in turn: start from no session. A hash change keeps the app and its
  // cached identity in memory, so reload it.
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator('input[name="username"]').fill(u.username);
  await page.locator('input[name="password"]').fill(u.password);
  await page.locator('button[type="submit"]').click();
  await page.getByTestId('dashboard').waitFor({ timeout: 30_000 });
}

/** The texts of the first column of the list on the page (react-admin Datagrid). */
export async function listColumn(page: Page, column: string): Promise<string[]> {
  await page.locator('tbody .RaDatagrid-row').first().waitFor({ timeout: 30_000 });
  return page.locator(`td.column-${column}`).allInnerTexts();
}
