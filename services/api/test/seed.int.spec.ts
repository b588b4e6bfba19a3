import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COLLECTIONS } from '@dwg/persistence';
import { REPO_ROOT } from '@dwg/local-stack';
import { createTestDb, startService, uniqueName, type RunningService, type TestDb } from '@dwg/testing';
import { buildDemo } from '../src/seed/demo-world';
import { testJpeg } from '../src/work-orders/test-images';

const run = promisify(execFile);

describe('demo seed', () => {
  let db: TestDb;
  let api: RunningService;
  const dir = mkdtempSync(join(tmpdir(), 'dwg-seed-'));
  const seed = (extra: string[] = []) =>
    run(process.execPath, [
      join(REPO_ROOT, 'services/api/dist/seed/cli.js'),
      '--mongo-url',
      db.url,
      '--credentials-out',
      join(dir, 'devices.json'),
      '--broker-auth',
      'none',
      ...extra,
    ]);

  beforeAll(async () => {
    db = await createTestDb('apiseed');
  });
  afterAll(async () => {
    await api?.stop();
    await db.drop();
  });

  it('seeds an empty database and writes device credentials, demo logins and the map', async () => {
    const { stdout } = await seed([
      '--users-out',
      join(dir, 'users.json'),
      '--geojson-out',
      join(dir, 'world.geojson'),
    ]);
    const out = JSON.parse(stdout);
    expect(out.inserted).toMatchObject({
      operators: 2,
      agencies: 2,
      contracts: 4,
      vehicles: 50,
      workers: 300,
      devices: 350,
      users: 9,
    });
    const devices = JSON.parse(readFileSync(join(dir, 'devices.json'), 'utf8')).devices;
    expect(devices).toHaveLength(350);
    expect(devices[0]).toEqual({ deviceId: 'veh-0001', kind: 'gps', secret: expect.any(String) });
    const users = JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8'));
    expect(users).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'infra/demo/credentials.json'), 'utf8')));
    const world = JSON.parse(readFileSync(join(dir, 'world.geojson'), 'utf8'));
    expect(world.type).toBe('FeatureCollection');
    expect(
      world.features.filter((f: { properties: { layer: string } }) => f.properties.layer === 'route').length,
    ).toBeGreaterThan(10);
  });

  it('changes nothing when run again', async () => {
    const snapshot = async () => {
      const out: Record<string, unknown> = {};
      for (const c of [
        COLLECTIONS.users,
        COLLECTIONS.devices,
        COLLECTIONS.zones,
        COLLECTIONS.shifts,
        COLLECTIONS.auditLog,
      ])
        out[c] = await db.db.collection(c).find({}).sort({ _id: 1 }).toArray();
      return out;
    };
    const before = await snapshot();
    const { stdout } = await seed();
    expect(Object.values(JSON.parse(stdout).inserted).every((n) => n === 0)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('lets every demo user log in, and each sees only its tenant', async () => {
    api = await startService('api', {
      MONGO_URL: db.url,
      BROKER_AUTH_MODE: 'none',
      REDIS_PREFIX: uniqueName('seed'),
    });
    const { users } = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/demo/credentials.json'), 'utf8')) as {
      users: { username: string; password: string; role: string; tenant: string }[];
    };
    for (const u of users) {
      const res = await fetch(`${api.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: u.password }),
      });
      expect(res.status).toBe(200);
      const { accessToken, user } = (await res.json()) as {
        accessToken: string;
        user: { role: string; operatorId?: string; agencyId?: string };
      };
      expect(user.role).toBe(u.role);
      const list = await fetch(`${api.url}/api/contracts`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const contracts = (await list.json()) as { agencyId: string; operatorId: string }[];
      if (u.role === 'admin') expect(contracts).toHaveLength(4);
      else if (u.role === 'gov_reviewer')
        expect(contracts.every((c) => c.agencyId === user.agencyId) && contracts.length === 2).toBe(true);
      else
        expect(contracts.every((c) => c.operatorId === user.operatorId) && contracts.length === 2).toBe(true);
    }
  });

  it('routes a report in a demo zone to its team with the demo deadline, and shows it through Open311', async () => {
    const { users, open311_api_key } = JSON.parse(
      readFileSync(join(REPO_ROOT, 'infra/demo/credentials.json'), 'utf8'),
    ) as { users: { username: string; password: string }[]; open311_api_key: string };
    const login = async (name: string) => {
      const u = users.find((x) => x.username === name)!;
      const res = await fetch(`${api.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: u.username, password: u.password }),
      });
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const centre = (id: string) => {
      const ring = (buildDemo().zones.find((z) => z._id === id)!.geometry as { coordinates: number[][][] })
        .coordinates[0];
      const xs = ring.map((p) => p[0]);
      const ys = ring.map((p) => p[1]);
      return { lng: (Math.min(...xs) + Math.max(...xs)) / 2, lat: (Math.min(...ys) + Math.max(...ys)) / 2 };
    };
    const token = await login('yc.worker');
    const report = async (zone: string) => {
      const form = new FormData();
      const at = centre(zone);
      form.append('category', 'litter');
      form.append('lng', String(at.lng));
      form.append('lat', String(at.lat));
      form.append('photos', new Blob([testJpeg()]), 'litter.jpg');
      const res = await fetch(`${api.url}/api/work-orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect(res.status).toBe(201);
      return (await res.json()) as {
        id: string;
        teamId: string;
        zoneId: string;
        dueAt: string;
        dispatchedAt: string;
      };
    };
    // the grid-specific rule sends litter in the first grid to the second sanitation team; elsewhere the first
    const inRuleGrid = await report('zone-01-grid-11');
    expect(inRuleGrid).toMatchObject({ zoneId: 'zone-01-grid-11', teamId: 'team-02' });
    expect(Date.parse(inRuleGrid.dueAt) - Date.parse(inRuleGrid.dispatchedAt)).toBe(5 * 60_000);
    expect(await report('zone-01-grid-12')).toMatchObject({ zoneId: 'zone-01-grid-12', teamId: 'team-01' });
    const open311 = (await (await fetch(`${api.url}/open311/v2/requests/${inRuleGrid.id}.json`)).json()) as {
      status: string;
      service_code: string;
    }[];
    expect(open311[0]).toMatchObject({ status: 'open', service_code: 'litter' });
    const post = await fetch(`${api.url}/open311/v2/requests.json`, {
      method: 'POST',
      body: new URLSearchParams({
        api_key: open311_api_key,
        service_code: 'litter',
        ...Object.fromEntries(
          Object.entries(centre('zone-04-grid-11')).map(([k, v]) => [k === 'lng' ? 'long' : k, String(v)]),
        ),
      }),
    });
    expect(post.status).toBe(200);
  });
});
