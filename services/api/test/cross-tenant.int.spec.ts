import { ApiHarness, CRUD_RESOURCES, buildTenant, type TenantWorld } from './harness';

/**
 * OWASP API1 for every resource: each role of the other tenant is refused (403 or 404) on read, list, update,
 * delete and create-under-the-contract; reviewers are refused (403) on every write, even of their own agency's data.
 */
const RESOURCES = CRUD_RESOURCES;
const ROLES = ['operator_manager', 'dispatcher', 'field_worker', 'gov_reviewer'] as const;

/** A create body that points into the given tenant's contract (or tenant). */
function createBody(
  resource: (typeof RESOURCES)[number],
  t: TenantWorld,
  salt: string,
): Record<string, unknown> {
  const c = t.contractId;
  const point = { type: 'Point', coordinates: [113.252, 23.152] };
  switch (resource) {
    case 'operators':
      return { code: `op-x-${salt}`, name: 'x' };
    case 'agencies':
      return { code: `ag-x-${salt}`, name: 'x', level: 'street' };
    case 'contracts':
      return {
        code: `CT-X-${salt}`,
        name: 'x',
        agencyId: t.agencyId,
        operatorId: t.operatorId,
        serviceLines: ['patrol'],
        startDate: '2025-01-01',
        endDate: '2025-12-31',
        kpiTargets: {},
        deductionRules: [],
      };
    case 'zones':
      return {
        contractId: c,
        name: 'x',
        level: 'grid',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [113.25, 23.15],
              [113.251, 23.15],
              [113.251, 23.151],
              [113.25, 23.15],
            ],
          ],
        },
      };
    case 'routes':
      return {
        contractId: c,
        name: 'x',
        serviceLine: 'patrol',
        passesPerDay: 1,
        requiredOperation: 'none',
        geometry: {
          type: 'LineString',
          coordinates: [
            [113.25, 23.15],
            [113.251, 23.15],
          ],
        },
      };
    case 'sites':
      return { contractId: c, name: 'x', kind: 'checkpoint', geometry: point };
    case 'vehicles':
      return { contractId: c, plate: `粤B·${salt.slice(0, 5)}`, type: 'patrol_car' };
    case 'teams':
      return { contractId: c, name: 'x', serviceLine: 'patrol' };
    case 'workers':
      return { contractId: c, employeeNo: `X-${salt.slice(0, 8)}`, name: 'x', role: 'patroller' };
    case 'devices':
      return { id: `bdg-x-${salt}`, kind: 'badge', contractId: c };
    case 'shifts':
      return {
        contractId: c,
        name: 'x',
        assigneeType: 'team',
        assigneeId: t.ids.teams,
        targetType: 'zone',
        targetId: t.ids.zones,
        days: [1],
        start: '08:00',
        end: '12:00',
        validFrom: '2025-06-01',
      };
    case 'users':
      return {
        username: `x-${salt}`,
        role: 'field_worker',
        operatorId: t.operatorId,
        password: 'a-long-password',
      };
  }
}

const UPDATE: Record<string, Record<string, unknown>> = {
  operators: { name: 'hijacked' },
  agencies: { name: 'hijacked' },
  contracts: { name: 'hijacked' },
  zones: { name: 'hijacked' },
  routes: { name: 'hijacked' },
  sites: { name: 'hijacked' },
  vehicles: { model: 'hijacked' },
  teams: { name: 'hijacked' },
  workers: { name: 'hijacked' },
  devices: { label: 'hijacked' },
  shifts: { name: 'hijacked' },
  users: { displayName: 'hijacked' },
};

describe('tenant isolation on every resource', () => {
  const h = new ApiHarness();
  const tenants: Record<string, TenantWorld> = {};
  const snapshots: Record<string, unknown> = {};

  beforeAll(async () => {
    await h.setup('apitenancy');
    tenants.a = await buildTenant(h, 'a', 0);
    tenants.b = await buildTenant(h, 'b', 1);
    const admin = await h.admin();
    for (const t of Object.values(tenants))
      for (const r of RESOURCES)
        snapshots[`${t.key}/${r}`] = (await h.as(admin, 'GET', `/api/${r}/${t.ids[r]}`, undefined, 200)).body;
  });

  afterAll(async () => {
    // nothing any refused request tried has changed a record
    const admin = await h.admin();
    for (const t of Object.values(tenants))
      for (const r of RESOURCES)
        expect((await h.as(admin, 'GET', `/api/${r}/${t.ids[r]}`)).body).toEqual(snapshots[`${t.key}/${r}`]);
    await h.teardown();
  });

  const cases = RESOURCES.flatMap((resource) =>
    (['a', 'b'] as const).flatMap((owner) => ROLES.map((role) => [resource, owner, role] as const)),
  );

  it.each(cases)(
    '%s of tenant %s: every role of the other tenant is refused (%s)',
    async (resource, owner, role) => {
      const mine = tenants[owner];
      const other = tenants[owner === 'a' ? 'b' : 'a'];
      const token = await h.login(other.users[role].username, other.users[role].password);
      const id = mine.ids[resource];
      const refused = [403, 404];

      const get = await h.as(token, 'GET', `/api/${resource}/${id}`);
      expect(refused).toContain(get.status);

      const list = await h.as(token, 'GET', `/api/${resource}?range=${encodeURIComponent('[0,499]')}`);
      if (list.status === 200) {
        const ids = (list.body as { id: string }[]).map((x) => x.id);
        expect(ids).not.toContain(id);
        // and asking for it by id finds nothing either
        const byId = await h.as(
          token,
          'GET',
          `/api/${resource}?filter=${encodeURIComponent(JSON.stringify({ id: [id] }))}`,
        );
        expect(byId.body).toEqual([]);
        expect(byId.headers.get('content-range')).toBe(`${resource} */0`);
      } else expect(list.status).toBe(403);

      const put = await h.as(token, 'PUT', `/api/${resource}/${id}`, UPDATE[resource]);
      expect(refused).toContain(put.status);
      const del = await h.as(token, 'DELETE', `/api/${resource}/${id}`);
      expect(refused).toContain(del.status);
      const post = await h.as(
        token,
        'POST',
        `/api/${resource}`,
        createBody(resource, mine, `${owner}${role.slice(0, 3)}`),
      );
      expect(refused).toContain(post.status);
      if (role === 'gov_reviewer') for (const s of [put.status, del.status, post.status]) expect(s).toBe(403);
    },
  );

  it.each(RESOURCES.map((r) => [r] as const))(
    "%s: a reviewer is refused every write on its own agency's data (403)",
    async (resource) => {
      const t = tenants.a;
      const token = await h.login(t.users.gov_reviewer.username, t.users.gov_reviewer.password);
      const id = t.ids[resource];
      expect((await h.as(token, 'PUT', `/api/${resource}/${id}`, UPDATE[resource])).status).toBe(403);
      expect((await h.as(token, 'DELETE', `/api/${resource}/${id}`)).status).toBe(403);
      expect((await h.as(token, 'POST', `/api/${resource}`, createBody(resource, t, 'rev'))).status).toBe(
        403,
      );
    },
  );

  it("a reviewer lists only its agency's contracts' data, and the operator side only its own", async () => {
    for (const t of Object.values(tenants)) {
      const reviewer = await h.login(t.users.gov_reviewer.username, t.users.gov_reviewer.password);
      const manager = await h.login(t.users.operator_manager.username, t.users.operator_manager.password);
      for (const r of [
        'contracts',
        'zones',
        'routes',
        'sites',
        'vehicles',
        'teams',
        'workers',
        'devices',
        'shifts',
      ]) {
        for (const token of [reviewer, manager]) {
          const rows = (await h.as(token, 'GET', `/api/${r}`, undefined, 200)).body as {
            id: string;
            agencyId: string;
            operatorId: string;
          }[];
          expect(rows.length).toBeGreaterThan(0);
          for (const row of rows)
            expect(token === reviewer ? row.agencyId : row.operatorId).toBe(
              token === reviewer ? t.agencyId : t.operatorId,
            );
        }
      }
      const ops = (await h.as(reviewer, 'GET', '/api/operators', undefined, 200)).body as { id: string }[];
      expect(ops.map((o) => o.id)).toEqual([t.operatorId]);
      const audit = (await h.as(reviewer, 'GET', '/api/audit-log?range=[0,499]', undefined, 200)).body as {
        scope: { agencyId: string };
      }[];
      expect(audit.length).toBeGreaterThan(0);
      for (const e of audit) expect(e.scope.agencyId).toBe(t.agencyId);
    }
  });

  it('a client cannot move a record into another tenant or set its own tenant or role', async () => {
    const a = tenants.a;
    const manager = await h.login(a.users.operator_manager.username, a.users.operator_manager.password);
    const move = await h.as(manager, 'PUT', `/api/zones/${a.ids.zones}`, {
      contractId: tenants.b.contractId,
    });
    expect(move.status).toBe(400);
    expect(move.body.message).toContain('contractId cannot be changed');
    const tenant = await h.as(manager, 'PUT', `/api/vehicles/${a.ids.vehicles}`, {
      operatorId: tenants.b.operatorId,
    });
    expect(tenant.status).toBe(400);
    expect(tenant.body.message).toContain('operatorId cannot be changed');
    const smuggle = await h.as(manager, 'POST', '/api/teams', {
      contractId: a.contractId,
      name: 't',
      serviceLine: 'patrol',
      agencyId: tenants.b.agencyId,
    });
    expect(smuggle.status).toBe(400);
    expect(smuggle.body.message).toContain('property agencyId should not exist');
    const admin = await h.as(manager, 'POST', '/api/users', {
      username: 'sneaky',
      role: 'admin',
      password: 'a-long-password',
    });
    expect(admin.status).toBe(403);
    const otherOp = await h.as(manager, 'POST', '/api/users', {
      username: 'sneaky2',
      role: 'dispatcher',
      operatorId: tenants.b.operatorId,
      password: 'a-long-password',
    });
    expect(otherOp.status).toBe(403);
    const self = await h.as(manager, 'PUT', `/api/users/${a.users.operator_manager.id}`, {
      role: 'field_worker',
    });
    expect(self.status).toBe(403);
  });
});
