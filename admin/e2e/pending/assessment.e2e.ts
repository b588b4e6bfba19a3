// Needs /api/assessments and its XLSX export (issue 6). Moves to e2e/specs/ once merged.
import { readFileSync } from 'node:fs';
import { env, login, openBrowser, type Session } from '../browser';

describe('console: assessments for a reviewer', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
    await login(s.page, 'bycg.reviewer');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens an assessment with its deductions, without write buttons, and downloads the XLSX', async () => {
    await s.page.goto(`${env('ADMIN_URL')}/#/assessments`);
    await s.page.locator('tbody .RaDatagrid-row').first().click();
    await s.page.getByTestId('deductions').waitFor();
    expect(await s.page.getByTestId('action-approve').count()).toBe(0);
    expect(await s.page.getByTestId('action-appeal').count()).toBe(0);
    const [download] = await Promise.all([
      s.page.waitForEvent('download'),
      s.page.getByTestId('export-xlsx').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    // An XLSX is a ZIP: it starts with "PK".
    expect(readFileSync(file!).subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
