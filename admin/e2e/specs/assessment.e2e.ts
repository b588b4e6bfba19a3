// Needs /api/assessments and its exports (issue 6; written against branch issue-6's api). Moves to e2e/specs/ once
// merged. The agency's reviewer reads a month's assessment with its deductions, downloads the XLSX and approves it
// (the one write a reviewer has: approve, and review of appeals); appeals are the operator's, so no appeal button.
import { readFileSync } from 'node:fs';
import { env, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';

interface Assessment {
  id: string;
  status: 'draft' | 'approved';
  allowedActions: string[];
  approvedBy: string | null;
}

/** The draft of this month for the reviewer's first contract: created, or the one that exists (409). */
async function draftAssessment(token: string): Promise<string> {
  const [contract] = await apiGet<{ id: string }[]>(token, '/api/contracts', { range: [0, 0] });
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  const res = await fetch(`${env('API_URL')}/api/assessments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contractId: contract.id, month }),
  });
  if (res.ok) return ((await res.json()) as { id: string }).id;
  if (res.status !== 409) throw new Error(`create assessment: ${res.status} ${await res.text()}`);
  const [existing] = await apiGet<{ id: string }[]>(token, '/api/assessments', {
    filter: { contractId: contract.id, month },
    range: [0, 0],
  });
  return existing.id;
}

describe('console: assessments for a reviewer', () => {
  let s: Session;
  beforeAll(async () => {
    s = await openBrowser();
    await login(s.page, 'bycg.reviewer');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('opens an assessment with its deductions, downloads the XLSX and approves it; no appeal button', async () => {
    const token = await apiToken('bycg.reviewer');
    const id = await draftAssessment(token);
    const before = await apiGet<Assessment>(token, `/api/assessments/${encodeURIComponent(id)}`);
    await s.page.goto(`${env('ADMIN_URL')}/#/assessments/${encodeURIComponent(id)}/show`);
    await s.page.getByTestId('deductions').waitFor();
    expect(await s.page.getByTestId('action-appeal').count()).toBe(0);
    const [download] = await Promise.all([
      s.page.waitForEvent('download'),
      s.page.getByTestId('export-xlsx').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    // An XLSX is a ZIP: it starts with "PK".
    expect(readFileSync(file!).subarray(0, 2).toString('latin1')).toBe('PK');
    if (before.status === 'approved') {
      expect(await s.page.getByTestId('action-approve').count()).toBe(0);
      return;
    }
    // A draft without pending appeals: the reviewer approves it here.
    expect(before.allowedActions).toContain('approve');
    await s.page.getByTestId('action-approve').click();
    await s.page.getByTestId('action-submit').click();
    await s.page.getByTestId('action-approve').waitFor({ state: 'detached' });
    const after = await apiGet<Assessment>(token, `/api/assessments/${encodeURIComponent(id)}`);
    expect(after).toMatchObject({ status: 'approved', approvedBy: 'bycg.reviewer', allowedActions: [] });
  });
});
