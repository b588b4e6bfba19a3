// npm run screenshots: renders the dashboard, the live map and an assessment into docs/screenshots/ with the same
// browser and stack as the end-to-end tests. The stack is seeded with the month-to-date KPI history (as npm start
// seeds it) and runs the simulator; the script waits until the worker has rolled that history up, reports a few
// work orders and takes them part of the way, and draws up the month's assessment, so every panel has figures.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@dwg/local-stack';
import { env, login, openBrowser, type Session } from '../browser';
import { apiGet, apiToken } from '../api';
import { tinyPng } from '../fixtures';

const OUT = join(REPO_ROOT, 'docs', 'screenshots');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${env('API_URL')}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A login once the api answers: right after the stack starts it may still refuse connections. */
async function tokenWhenUp(username: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await apiToken(username);
    } catch (e) {
      if (i >= 30) throw e;
      await sleep(2_000);
    }
  }
}

/** Waits until the worker has rolled up the seeded history: the month's task count stops growing. */
async function kpiHistoryRolledUp(token: string, contractId: string): Promise<void> {
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  let last = -1;
  for (let i = 0; i < 60; i++) {
    const k = await apiGet<{ total?: { counters?: Record<string, number> } }>(token, '/api/kpis', {
      contractId,
      from: `${month}-01`,
      to: today,
      granularity: 'day',
    });
    const due = k.total?.counters?.tasksDue ?? 0;
    if (due > 0 && due === last) return;
    last = due;
    await sleep(5_000);
  }
  throw new Error('the seeded KPI history was not rolled up within 5 minutes');
}

/** A few reports of the day in the contract's grids, dispatched by routing, some accepted or started. */
async function someWorkOrders(contractId: string): Promise<void> {
  const worker = await apiToken('yc.worker');
  const manager = await apiToken('yc.manager');
  // A reused stack has them already.
  if (
    (await apiGet<unknown[]>(manager, '/api/work-orders', { filter: { contractId }, range: [0, 0] })).length
  )
    return;
  const grids = await apiGet<{ geometry: { coordinates: number[][][] } }[]>(manager, '/api/zones', {
    filter: { contractId, level: 'grid' },
    range: [0, 99],
  });
  // A point inside each grid, off its centre so that reports do not stack up.
  const spots = grids.map((g, i) => {
    const ring = g.geometry.coordinates[0].slice(0, -1);
    const lng = ring.reduce((a, p) => a + p[0], 0) / ring.length + 0.0007 * ((i % 3) - 1);
    const lat = ring.reduce((a, p) => a + p[1], 0) / ring.length + 0.0005 * ((i % 2) - 0.5);
    return { lng, lat };
  });
  const reports = [
    ['litter', '人行道纸屑散落'],
    ['bin_overflow', '小区门口垃圾桶满溢'],
    ['litter', '公交站台烟头较多'],
    ['illegal_dumping', '绿化带内建筑垃圾乱倒'],
    ['bin_overflow', '分类垃圾桶未及时清运'],
    ['litter', '菜市场门口垃圾散落'],
    ['illegal_dumping', '路边大件家具乱放'],
  ];
  for (const [i, [category, description]] of reports.entries()) {
    const at = spots[i % Math.max(1, spots.length)];
    if (!at) return;
    const fd = new FormData();
    fd.append('category', category);
    fd.append('description', description);
    fd.append('lng', String(at.lng));
    fd.append('lat', String(at.lat));
    fd.append('photos', new Blob([new Uint8Array(tinyPng())], { type: 'image/png' }), 'report.png');
    const res = await fetch(`${env('API_URL')}/api/work-orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${worker}` },
      body: fd,
    });
    if (!res.ok) throw new Error(`report a work order: ${res.status} ${await res.text()}`);
    const o = (await res.json()) as { id: string; state: string };
    if (o.state !== 'dispatched') continue;
    const steps = i % 3 === 0 ? [] : i % 3 === 1 ? ['accept'] : ['accept', 'start'];
    for (const a of steps)
      await api(manager, 'POST', `/api/work-orders/${encodeURIComponent(o.id)}/actions/${a}`, {});
  }
}

/** This month's draft for the reviewer's first contract, computed over the rolled-up history. */
async function monthAssessment(token: string): Promise<string> {
  const [contract] = await apiGet<{ id: string }[]>(token, '/api/contracts', { range: [0, 0] });
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  const res = await fetch(`${env('API_URL')}/api/assessments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contractId: contract.id, month }),
  });
  if (res.ok) return ((await res.json()) as { id: string }).id;
  if (res.status !== 409) throw new Error(`create assessment: ${res.status} ${await res.text()}`);
  const [existing] = await apiGet<{ id: string; status: string }[]>(token, '/api/assessments', {
    filter: { contractId: contract.id, month },
    range: [0, 0],
  });
  if (existing.status === 'draft')
    await api(token, 'POST', `/api/assessments/${encodeURIComponent(existing.id)}/actions/recompute`, {});
  return existing.id;
}

describe('screenshots', () => {
  let s: Session;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const manager = await tokenWhenUp('yc.manager');
    const [contract] = await apiGet<{ id: string }[]>(manager, '/api/contracts', {
      sort: ['code', 'ASC'],
      range: [0, 0],
    });
    await kpiHistoryRolledUp(manager, contract.id);
    await someWorkOrders(contract.id);
    s = await openBrowser();
  }, 420_000);
  afterAll(async () => {
    await s?.close();
  });

  async function shot(name: string) {
    const file = join(OUT, `${name}.png`);
    await s.page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  }

  it('dashboard', async () => {
    await login(s.page, 'yc.manager');
    // Figures in the cards, lines in the trend, bars in the ranking and the work orders by state.
    await s.page.waitForFunction(
      () => /%/.test(document.querySelector('[data-testid="kpi-attendanceRate"]')?.textContent ?? ''),
      null,
      { timeout: 60_000 },
    );
    await s.page.locator('.recharts-line-curve').first().waitFor({ timeout: 60_000 });
    await s.page.locator('.recharts-bar-rectangle').first().waitFor({ timeout: 60_000 });
    await s.page.waitForFunction(() => !document.querySelector('[data-state="loading"]'), null, {
      timeout: 60_000,
    });
    await s.page.mouse.move(1439, 899); // no tooltip over the charts
    await s.page.waitForTimeout(1500); // charts animate in
    await shot('dashboard');
  });

  it('live map', async () => {
    await s.page.goto(`${env('ADMIN_URL')}/#/map`);
    await s.page.getByTestId('live-map').waitFor();
    // Zones and routes drawn, vehicles from the snapshot, then a few seconds of the stream moving them.
    await s.page.locator('[data-testid="live-map"][data-layers="drawn"]').waitFor({ timeout: 60_000 });
    await s.page.waitForFunction(() => Object.keys(window.__dwgLive?.positions() ?? {}).length > 0, null, {
      timeout: 60_000,
    });
    await s.page.waitForFunction(() => (window.__dwgLive?.moves ?? 0) > 20, null, { timeout: 60_000 });
    await s.page.waitForTimeout(3_000);
    await shot('map');
  });

  it('assessment', async () => {
    await login(s.page, 'bycg.reviewer');
    const id = await monthAssessment(await apiToken('bycg.reviewer'));
    await s.page.goto(`${env('ADMIN_URL')}/#/assessments/${encodeURIComponent(id)}/show`);
    await s.page.getByTestId('deduction').first().waitFor({ timeout: 60_000 });
    await s.page.waitForLoadState('networkidle');
    await shot('assessment');
  });
});
