/* eslint-disable @typescript-eslint/no-explicit-any -- API response bodies of a dozen resource shapes, checked field by field */
import bcrypt from 'bcryptjs';
import { COLLECTIONS } from '@dwg/persistence';
import { createTestDb, startService, type RunningService, type TestDb } from '@dwg/testing';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * The CRUD resources the tests expect, written out here rather than imported from the API's permission table so
 * that a resource dropped from the API fails the tests instead of silently leaving them.
 */
export const CRUD_RESOURCES = [
  'operators',
  'agencies',
  'contracts',
  'zones',
  'routes',
  'sites',
  'vehicles',
  'teams',
  'workers',
  'devices',
  'shifts',
  'users',
] as const;

export const ADMIN = { username: 'root', password: 'root-password-123' };

/** One test file's api: its own database and api process, an admin account, and HTTP helpers. */
export class ApiHarness {
  db!: TestDb;
  api!: RunningService;
  private tokens = new Map<string, string>();

  async setup(name: string, env: NodeJS.ProcessEnv = {}) {
    this.db = await createTestDb(name);
    const now = new Date();
    await this.db.db.collection(COLLECTIONS.users).insertOne({
      _id: 'user-root' as never,
      username: ADMIN.username,
      role: 'admin',
      passwordHash: await bcrypt.hash(ADMIN.password, 4),
      disabled: false,
      tokenVersion: 0,
      createdAt: now,
      updatedAt: now,
    });
    this.api = await startService('api', { MONGO_URL: this.db.url, BCRYPT_COST: '4', ...env });
  }

  async teardown() {
    await this.api?.stop();
    await this.db?.drop();
  }

  async request<T = any>(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; raw?: string } = {},
  ): Promise<Res<T>> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined || opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = opts.raw ?? JSON.stringify(opts.body);
    }
    const res = await fetch(`${this.api.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(username: string, password: string): Promise<string> {
    const cached = this.tokens.get(username);
    if (cached) return cached;
    const res = await this.request('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    this.tokens.set(username, res.body.accessToken);
    return res.body.accessToken as string;
  }

  admin() {
    return this.login(ADMIN.username, ADMIN.password);
  }

  /** As the given user: fails the test on anything but the expected status. */
  async as<T = any>(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    expectStatus?: number,
  ): Promise<Res<T>> {
    const res = await this.request<T>(method, path, { token, body });
    if (expectStatus !== undefined && res.status !== expectStatus) {
      if (res.status >= 500) await new Promise((r) => setTimeout(r, 300)); // let the process's log lines arrive
      const errors = res.status >= 500 ? `\n${this.api.logs.slice(-6).join('\n')}` : '';
      throw new Error(
        `${method} ${path}: expected ${expectStatus}, got ${res.status} ${JSON.stringify(res.body)}${errors}`,
      );
    }
    return res;
  }

  /** Creates as admin and returns the record. */
  async create(resource: string, body: unknown, token?: string) {
    const res = await this.as(token ?? (await this.admin()), 'POST', `/api/${resource}`, body, 201);
    return res.body as Record<string, any>;
  }
}

export const box = (w: number, s: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [w + d, s],
      [w + d, s + d],
      [w, s + d],
      [w, s],
    ],
  ],
});

export const CONTRACT_BODY = (code: string, agencyId: string, operatorId: string) => ({
  code,
  name: `contract ${code}`,
  agencyId,
  operatorId,
  serviceLines: ['sanitation', 'greening', 'patrol', 'waste_sorting'],
  startDate: '2025-01-01',
  endDate: '2026-12-31',
  kpiTargets: { coverageRate: 0.95, attendanceRate: 0.98 },
  deductionRules: [{ code: 'absence', description: 'absent worker', points: 0.5, kpi: 'attendanceRate' }],
});

export interface TenantWorld {
  key: string;
  operatorId: string;
  agencyId: string;
  contractId: string;
  ids: Record<string, string>;
  users: Record<
    'operator_manager' | 'dispatcher' | 'field_worker' | 'gov_reviewer',
    { username: string; password: string; id: string }
  >;
}

/**
 * Builds one tenant pair (operator + agency + their contract) through the api as admin, with one record of every
 * resource and one user per role. `n` shifts the geography so two tenants do not overlap.
 */
export async function buildTenant(h: ApiHarness, key: string, n: number): Promise<TenantWorld> {
  const op = await h.create('operators', { code: `op-${key}`, name: `Operator ${key}` });
  const ag = await h.create('agencies', { code: `ag-${key}`, name: `Agency ${key}`, level: 'street' });
  const ct = await h.create('contracts', CONTRACT_BODY(`CT-${key}`, ag.id, op.id));
  const w = 113.25 + n * 0.02;
  const street = await h.create('zones', {
    contractId: ct.id,
    name: `street ${key}`,
    level: 'street',
    geometry: box(w, 23.15, 0.01),
  });
  const grid = await h.create('zones', {
    contractId: ct.id,
    name: `grid ${key}`,
    level: 'grid',
    parentId: street.id,
    geometry: box(w, 23.15, 0.005),
  });
  const route = await h.create('routes', {
    contractId: ct.id,
    name: `route ${key}`,
    serviceLine: 'sanitation',
    zoneId: street.id,
    passesPerDay: 2,
    requiredOperation: 'sweep',
    geometry: {
      type: 'LineString',
      coordinates: [
        [w + 0.001, 23.151],
        [w + 0.004, 23.151],
        [w + 0.004, 23.154],
      ],
    },
  });
  const site = await h.create('sites', {
    contractId: ct.id,
    name: `checkpoint ${key}`,
    kind: 'checkpoint',
    zoneId: grid.id,
    geometry: { type: 'Point', coordinates: [w + 0.002, 23.152] },
  });
  const team = await h.create('teams', { contractId: ct.id, name: `team ${key}`, serviceLine: 'sanitation' });
  const vehicle = await h.create('vehicles', {
    contractId: ct.id,
    plate: `粤A·${key.toUpperCase()}${1000 + n}`,
    type: 'sweeper',
    teamId: team.id,
  });
  const worker = await h.create('workers', {
    contractId: ct.id,
    employeeNo: `${key.toUpperCase()}-0001`,
    name: `worker ${key}`,
    role: 'sweeper',
    teamId: team.id,
  });
  const device = await h.create('devices', {
    id: `gps-${key}-0001`,
    kind: 'gps',
    contractId: ct.id,
    vehicleId: vehicle.id,
  });
  const shift = await h.create('shifts', {
    contractId: ct.id,
    name: `early ${key}`,
    assigneeType: 'team',
    assigneeId: team.id,
    targetType: 'zone',
    targetId: grid.id,
    days: [1, 2, 3, 4, 5],
    start: '06:00',
    end: '14:00',
    validFrom: '2025-03-01',
  });
  const users = {} as TenantWorld['users'];
  for (const role of ['operator_manager', 'dispatcher', 'field_worker', 'gov_reviewer'] as const) {
    const username = `${key}.${role.replace('_', '-')}`;
    const password = `pw-${key}-${role}-long`;
    const u = await h.create('users', {
      username,
      role,
      password,
      ...(role === 'gov_reviewer' ? { agencyId: ag.id } : { operatorId: op.id }),
    });
    users[role] = { username, password, id: u.id };
  }
  return {
    key,
    operatorId: op.id,
    agencyId: ag.id,
    contractId: ct.id,
    ids: {
      operators: op.id,
      agencies: ag.id,
      contracts: ct.id,
      zones: grid.id,
      routes: route.id,
      sites: site.id,
      teams: team.id,
      vehicles: vehicle.id,
      workers: worker.id,
      devices: device.id,
      shifts: shift.id,
      users: users.dispatcher.id,
      street: street.id,
    },
    users,
  };
}
