/* eslint-disable @typescript-eslint/no-explicit-any -- API response bodies of a dozen resource shapes, checked field by field */
import mqtt from 'mqtt';
import { COLLECTIONS } from '@dwg/persistence';
import { testUrls } from '@dwg/testing';
import { ApiHarness, box, buildTenant, type TenantWorld } from './harness';

/** CRUD, validation, audit entries and the simple-REST conventions of every resource. */
describe('resources: CRUD, validation, audit', () => {
  const h = new ApiHarness();
  let t: TenantWorld;
  let admin: string;
  let manager: string;

  beforeAll(async () => {
    await h.setup('apicrud');
    t = await buildTenant(h, 'c', 0);
    admin = await h.admin();
    manager = await h.login(t.users.operator_manager.username, t.users.operator_manager.password);
  });
  afterAll(() => h.teardown());

  const auditOf = async (resource: string, id: string) =>
    (
      await h.as(
        admin,
        'GET',
        `/api/audit-log?filter=${encodeURIComponent(JSON.stringify({ resource, resourceId: id }))}&sort=["seq","ASC"]`,
        undefined,
        200,
      )
    ).body as Record<string, any>[];

  // Every resource: update one field, read it back, find the audit entries of create and update with before/after.
  const updates: [string, Record<string, unknown>, string][] = [
    ['operators', { name: 'Operator C renamed' }, 'name'],
    ['agencies', { name: 'Agency C renamed' }, 'name'],
    ['contracts', { name: 'renamed contract' }, 'name'],
    ['zones', { name: 'grid renamed' }, 'name'],
    ['routes', { passesPerDay: 3 }, 'passesPerDay'],
    ['sites', { name: 'checkpoint renamed' }, 'name'],
    ['vehicles', { model: 'Yutong e-sweeper' }, 'model'],
    ['teams', { name: 'team renamed' }, 'name'],
    ['workers', { phone: '+86 139 0000 0001' }, 'phone'],
    ['devices', { label: 'front terminal' }, 'label'],
    ['shifts', { end: '13:30' }, 'end'],
    ['users', { displayName: 'Dispatcher C' }, 'displayName'],
  ];
  it.each(updates)(
    '%s: update, read back, and audit entries with who, before and after',
    async (resource, patch, field) => {
      const id = t.ids[resource];
      const before = (await h.as(admin, 'GET', `/api/${resource}/${id}`, undefined, 200)).body;
      const updated = (await h.as(admin, 'PUT', `/api/${resource}/${id}`, patch, 200)).body;
      expect(updated[field]).toEqual(patch[field]);
      expect((await h.as(admin, 'GET', `/api/${resource}/${id}`, undefined, 200)).body[field]).toEqual(
        patch[field],
      );
      const entries = await auditOf(resource, id);
      expect(entries.map((e) => e.action)).toEqual(['create', 'update']);
      const upd = entries[1];
      expect(upd.actor.username).toBe('root');
      expect(upd.before[field]).toEqual(before[field] ?? undefined);
      expect(upd.after[field]).toEqual(patch[field]);
      expect(upd.prevHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(upd)).not.toMatch(/passwordHash|secretHash/);
    },
  );

  it('accepts a whole record sent back as react-admin does, with read-only fields unchanged', async () => {
    const rec = (await h.as(manager, 'GET', `/api/routes/${t.ids.routes}`, undefined, 200)).body;
    const res = await h.as(
      manager,
      'PUT',
      `/api/routes/${t.ids.routes}`,
      { ...rec, name: 'full record update' },
      200,
    );
    expect(res.body).toMatchObject({ name: 'full record update', lengthM: rec.lengthM, id: rec.id });
    const changed = await h.as(manager, 'PUT', `/api/routes/${t.ids.routes}`, { ...rec, lengthM: 1 });
    expect(changed.status).toBe(400);
    expect(changed.body.message).toEqual(['lengthM cannot be changed']);
  });

  it('creates and deletes every kind of record, refusing to delete what others point at', async () => {
    const blocked = await h.as(manager, 'DELETE', `/api/zones/${t.ids.street}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toMatch(/still referenced by 1 child zones/);
    const team = (
      await h.as(
        manager,
        'POST',
        '/api/teams',
        { contractId: t.contractId, name: 'temp', serviceLine: 'patrol' },
        201,
      )
    ).body;
    const del = await h.as(manager, 'DELETE', `/api/teams/${team.id}`, undefined, 200);
    expect(del.body.id).toBe(team.id);
    expect((await h.as(manager, 'GET', `/api/teams/${team.id}`)).status).toBe(404);
    expect(
      (await auditOf('teams', team.id)).map((e) => [e.action, e.before?.name ?? null, e.after?.name ?? null]),
    ).toEqual([
      ['create', null, 'temp'],
      ['delete', 'temp', null],
    ]);
  });

  describe('validation', () => {
    const zone = (geometry: unknown, extra: Record<string, unknown> = {}) => ({
      contractId: t.contractId,
      name: 'z',
      level: 'grid',
      geometry,
      ...extra,
    });
    const cases: [string, string, () => Record<string, unknown>, number, RegExp][] = [
      [
        'zones',
        'open ring',
        () =>
          zone({
            type: 'Polygon',
            coordinates: [
              [
                [113.25, 23.15],
                [113.26, 23.15],
                [113.26, 23.16],
                [113.25, 23.16],
              ],
            ],
          }),
        400,
        /ring is not closed/,
      ],
      [
        'zones',
        'latitude out of range',
        () => zone(box(113.25, 95, 0.01)),
        400,
        /latitude 95 is out of range/,
      ],
      [
        'zones',
        'self-intersecting',
        () =>
          zone({
            type: 'Polygon',
            coordinates: [
              [
                [113.25, 23.15],
                [113.26, 23.16],
                [113.26, 23.15],
                [113.25, 23.16],
                [113.25, 23.15],
              ],
            ],
          }),
        400,
        /intersects itself/,
      ],
      [
        'zones',
        'outside its parent',
        () => zone(box(113.3, 23.15, 0.001), { parentId: t.ids.street }),
        400,
        /not inside its parent zone/,
      ],
      [
        'zones',
        'street under a grid',
        () => zone(box(113.2501, 23.1501, 0.001), { level: 'street', parentId: t.ids.zones }),
        400,
        /a street zone cannot lie under a grid zone/,
      ],
      [
        'zones',
        'unknown parent',
        () => zone(box(113.25, 23.15, 0.001), { parentId: 'nope' }),
        400,
        /parentId: no zone "nope" in contract/,
      ],
      [
        'zones',
        'unknown field',
        () => zone(box(113.25, 23.15, 0.001), { colour: 'red' }),
        400,
        /property colour should not exist/,
      ],
      [
        'zones',
        'unknown contract',
        () => zone(box(113.25, 23.15, 0.001), { contractId: 'nope' }),
        404,
        /contract "nope" not found/,
      ],
      [
        'routes',
        'single-point line',
        () => ({
          contractId: t.contractId,
          name: 'r',
          serviceLine: 'sanitation',
          passesPerDay: 1,
          requiredOperation: 'sweep',
          geometry: { type: 'LineString', coordinates: [[113.25, 23.15]] },
        }),
        400,
        /needs at least 2 positions/,
      ],
      [
        'routes',
        'zero passes',
        () => ({
          contractId: t.contractId,
          name: 'r',
          serviceLine: 'sanitation',
          passesPerDay: 0,
          requiredOperation: 'sweep',
          geometry: {
            type: 'LineString',
            coordinates: [
              [113.25, 23.15],
              [113.26, 23.15],
            ],
          },
        }),
        400,
        /passesPerDay must not be less than 1/,
      ],
      [
        'sites',
        'green area as a point',
        () => ({
          contractId: t.contractId,
          name: 's',
          kind: 'green_area',
          geometry: { type: 'Point', coordinates: [113.25, 23.15] },
        }),
        400,
        /geometry.type must be "Polygon"/,
      ],
      [
        'sites',
        'checkpoint outside its zone',
        () => ({
          contractId: t.contractId,
          name: 's',
          kind: 'checkpoint',
          zoneId: t.ids.zones,
          geometry: { type: 'Point', coordinates: [113.4, 23.15] },
        }),
        400,
        /not inside zone/,
      ],
      [
        'vehicles',
        'duplicate plate (other spacing)',
        () => ({ contractId: t.contractId, plate: ' 粤a·c1000 ', type: 'washer' }),
        409,
        /plate "粤A·C1000" is already registered/,
      ],
      [
        'vehicles',
        'unknown type',
        () => ({ contractId: t.contractId, plate: '粤A·Z9999', type: 'tank' }),
        400,
        /type must be one of the following values/,
      ],
      [
        'workers',
        'team of another contract',
        () => ({
          contractId: t.contractId,
          employeeNo: 'Q-1',
          name: 'q',
          role: 'sweeper',
          teamId: 'team-elsewhere',
        }),
        400,
        /teamId: no team "team-elsewhere"/,
      ],
      [
        'devices',
        'reserved id',
        () => ({ id: 'dwg-ingest', kind: 'gps', contractId: t.contractId }),
        400,
        /reserved for a broker service account/,
      ],
      [
        'devices',
        'duplicate id',
        () => ({ id: t.ids.devices, kind: 'gps', contractId: t.contractId }),
        409,
        /device id "gps-c-0001" already exists/,
      ],
      [
        'devices',
        'badge bound to a vehicle',
        () => ({ id: 'bdg-bad-1', kind: 'badge', contractId: t.contractId, vehicleId: t.ids.vehicles }),
        400,
        /a badge is bound to a worker/,
      ],
      [
        'shifts',
        'start equals end',
        () => ({
          contractId: t.contractId,
          name: 's',
          assigneeType: 'team',
          assigneeId: t.ids.teams,
          targetType: 'zone',
          targetId: t.ids.zones,
          days: [1],
          start: '08:00',
          end: '08:00',
          validFrom: '2025-06-01',
        }),
        400,
        /cannot start and end at the same time/,
      ],
      [
        'shifts',
        'too long',
        () => ({
          contractId: t.contractId,
          name: 's',
          assigneeType: 'team',
          assigneeId: t.ids.teams,
          targetType: 'zone',
          targetId: t.ids.zones,
          days: [1],
          start: '06:00',
          end: '22:00',
          validFrom: '2025-06-01',
        }),
        400,
        /at most 12 hours/,
      ],
      [
        'shifts',
        'outside the contract',
        () => ({
          contractId: t.contractId,
          name: 's',
          assigneeType: 'team',
          assigneeId: t.ids.teams,
          targetType: 'zone',
          targetId: t.ids.zones,
          days: [1],
          start: '06:00',
          end: '10:00',
          validFrom: '2030-01-01',
        }),
        400,
        /outside the contract period/,
      ],
      [
        'shifts',
        'target is not a route',
        () => ({
          contractId: t.contractId,
          name: 's',
          assigneeType: 'vehicle',
          assigneeId: t.ids.vehicles,
          targetType: 'route',
          targetId: t.ids.zones,
          days: [1],
          start: '06:00',
          end: '10:00',
          validFrom: '2025-06-01',
        }),
        400,
        /targetId: no route/,
      ],
      [
        'shifts',
        'weekday 8',
        () => ({
          contractId: t.contractId,
          name: 's',
          assigneeType: 'team',
          assigneeId: t.ids.teams,
          targetType: 'zone',
          targetId: t.ids.zones,
          days: [8],
          start: '06:00',
          end: '10:00',
          validFrom: '2025-06-01',
        }),
        400,
        /days must not be greater than 7/,
      ],
      [
        'contracts',
        'end before start',
        () => ({
          code: 'CT-BAD',
          name: 'x',
          agencyId: t.agencyId,
          operatorId: t.operatorId,
          serviceLines: ['patrol'],
          startDate: '2025-05-01',
          endDate: '2025-01-01',
          kpiTargets: {},
          deductionRules: [],
        }),
        400,
        /endDate 2025-01-01 must be after startDate/,
      ],
      [
        'contracts',
        'KPI above 1',
        () => ({
          code: 'CT-BAD',
          name: 'x',
          agencyId: t.agencyId,
          operatorId: t.operatorId,
          serviceLines: ['patrol'],
          startDate: '2025-01-01',
          endDate: '2025-12-31',
          kpiTargets: { coverageRate: 1.5 },
          deductionRules: [],
        }),
        400,
        /kpiTargets.coverageRate must not be greater than 1/,
      ],
      [
        'users',
        'reviewer without agency',
        () => ({ username: 'rev-x', role: 'gov_reviewer', password: 'a-long-password' }),
        400,
        /role gov_reviewer needs agencyId/,
      ],
      [
        'users',
        'short password',
        () => ({ username: 'short-pw', role: 'admin', password: 'short' }),
        400,
        /password must be longer than or equal to 10 characters/,
      ],
    ];
    it.each(cases)(
      '%s: %s is refused with a clear message and writes nothing',
      async (resource, _what, body, status, message) => {
        const coll = resource === 'devices' ? COLLECTIONS.devices : resource;
        const countBefore = await h.db.db.collection(coll).countDocuments({});
        const auditBefore = await h.db.db.collection(COLLECTIONS.auditLog).countDocuments({});
        const res = await h.as(admin, 'POST', `/api/${resource}`, body());
        expect(res.status).toBe(status);
        expect([res.body.message].flat().join('; ')).toMatch(message);
        expect(await h.db.db.collection(coll).countDocuments({})).toBe(countBefore);
        expect(await h.db.db.collection(COLLECTIONS.auditLog).countDocuments({})).toBe(auditBefore);
      },
    );
  });

  describe('react-admin simple REST conventions', () => {
    beforeAll(async () => {
      for (let i = 0; i < 12; i++)
        await h.as(
          manager,
          'POST',
          '/api/vehicles',
          {
            contractId: t.contractId,
            plate: `粤A·R${String(100 + i)}`,
            type: i % 3 === 0 ? 'washer' : 'sweeper',
          },
          201,
        );
    });

    it('sorts, pages with range and reports the total in Content-Range', async () => {
      const page = await h.as(
        manager,
        'GET',
        `/api/vehicles?sort=${encodeURIComponent('["plate","DESC"]')}&range=${encodeURIComponent('[2,5]')}`,
        undefined,
        200,
      );
      const all = (
        await h.as(
          manager,
          'GET',
          `/api/vehicles?sort=${encodeURIComponent('["plate","DESC"]')}&range=[0,99]`,
          undefined,
          200,
        )
      ).body as { plate: string }[];
      expect(all.map((v) => v.plate)).toEqual([...all.map((v) => v.plate)].sort().reverse());
      expect((page.body as { plate: string }[]).map((v) => v.plate)).toEqual(
        all.slice(2, 6).map((v) => v.plate),
      );
      expect(page.headers.get('content-range')).toBe(`vehicles 2-5/${all.length}`);
    });

    it('filters by field, by several values, by ids and by text', async () => {
      const washers = await h.as(
        manager,
        'GET',
        `/api/vehicles?filter=${encodeURIComponent('{"type":"washer"}')}`,
        undefined,
        200,
      );
      expect((washers.body as { type: string }[]).every((v) => v.type === 'washer')).toBe(true);
      expect(washers.headers.get('content-range')).toBe('vehicles 0-3/4');
      const q = await h.as(
        manager,
        'GET',
        `/api/vehicles?filter=${encodeURIComponent('{"q":"r10"}')}`,
        undefined,
        200,
      );
      expect((q.body as { plate: string }[]).map((v) => v.plate).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `粤A·R${100 + i}`),
      );
      const ids = (washers.body as { id: string }[]).slice(0, 2).map((v) => v.id);
      const many = await h.as(
        manager,
        'GET',
        `/api/vehicles?filter=${encodeURIComponent(JSON.stringify({ id: ids }))}`,
        undefined,
        200,
      );
      expect((many.body as { id: string }[]).map((v) => v.id).sort()).toEqual([...ids].sort());
    });

    it('refuses oversized pages, unknown fields and over-long time ranges with a 400 that states the limit', async () => {
      const big = await h.as(manager, 'GET', `/api/vehicles?range=${encodeURIComponent('[0,1000]')}`);
      expect(big.status).toBe(400);
      expect(big.body.message).toBe('range covers 1001 records; the limit is 500 per page');
      const field = await h.as(
        manager,
        'GET',
        `/api/vehicles?filter=${encodeURIComponent('{"secretHash":"x"}')}`,
      );
      expect(field.status).toBe(400);
      const span = await h.as(
        manager,
        'GET',
        `/api/audit-log?filter=${encodeURIComponent('{"at_gte":"2025-01-01T00:00:00Z","at_lte":"2025-06-01T00:00:00Z"}')}`,
      );
      expect(span.status).toBe(400);
      expect(span.body.message).toBe('time range on at spans 151.0 days; the limit is 31 days');
      const recent = await h.as(
        manager,
        'GET',
        `/api/audit-log?filter=${encodeURIComponent(JSON.stringify({ at_gte: new Date(Date.now() - 3600_000).toISOString() }))}`,
        undefined,
        200,
      );
      expect((recent.body as unknown[]).length).toBeGreaterThan(0);
    });
  });

  describe('devices and the broker', () => {
    it('shows a new secret once, which the broker accepts; rotation and disabling lock the old one out', async () => {
      const created = (
        await h.as(
          manager,
          'POST',
          '/api/devices',
          { id: 'bdg-live-0001', kind: 'badge', contractId: t.contractId, workerId: t.ids.workers },
          201,
        )
      ).body;
      expect(created.secret).toEqual(expect.any(String));
      const read = (await h.as(manager, 'GET', '/api/devices/bdg-live-0001', undefined, 200)).body;
      expect(read.secret).toBeUndefined();
      expect(read.secretHash).toBeUndefined();
      const connect = (secret: string) =>
        mqtt
          .connectAsync(testUrls().MQTT_URL, {
            username: 'bdg-live-0001',
            password: secret,
            reconnectPeriod: 0,
            connectTimeout: 5000,
          })
          .then(
            async (c) => (await c.endAsync(), true),
            () => false,
          );
      const until = async (want: boolean, secret: string) => {
        for (let i = 0; i < 50; i++) {
          if ((await connect(secret)) === want) return true;
          await new Promise((r) => setTimeout(r, 100));
        }
        return false;
      };
      expect(await until(true, created.secret)).toBe(true);
      const rotated = (await h.as(manager, 'POST', '/api/devices/bdg-live-0001/credentials', undefined, 201))
        .body;
      expect(rotated.secret).not.toBe(created.secret);
      expect(await until(true, rotated.secret)).toBe(true);
      expect(await connect(created.secret)).toBe(false);
      await h.as(manager, 'PUT', '/api/devices/bdg-live-0001', { enabled: false }, 200);
      expect(await until(false, rotated.secret)).toBe(true);
      expect((await auditOf('devices', 'bdg-live-0001')).map((e) => e.action)).toEqual([
        'create',
        'rotate-credential',
        'update',
      ]);
    });
  });
});
