/* eslint-disable @typescript-eslint/no-explicit-any -- API response bodies, checked field by field */
import mqtt, { type MqttClient } from 'mqtt';
import {
  forgetSessions,
  startService,
  testUrls,
  uniqueName,
  waitUntil,
  type RunningService,
} from '@dwg/testing';
import { ApiHarness, buildTenant, type TenantWorld } from './harness';

/**
 * The live path end to end on the real stack: devices publish over MQTT, the real ingest stores the records and
 * publishes each batch on Redis, the api serves the snapshot, the SSE stream and track playback, scoped by tenant.
 */

interface SseEvent {
  event: string;
  data: any;
  /** Date.now() when the event was parsed off the wire. */
  at: number;
}

/** A minimal EventSource over fetch: keeps every event with its arrival time. */
class SseClient {
  readonly events: SseEvent[] = [];
  private readonly abort = new AbortController();
  status = 0;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient();
    const res = await fetch(url, { headers, signal: c.abort.signal });
    c.status = res.status;
    if (res.status !== 200 || !res.body) return c;
    void c.read(res.body.getReader());
    return c;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>) {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const at = Date.now();
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) this.events.push({ event, data: JSON.parse(data.join('\n')), at });
        }
      }
    } catch {
      // aborted by close()
    }
  }

  positions(): (any & { at: number })[] {
    return this.events
      .filter((e) => e.event === 'position')
      .flatMap((e) => e.data.positions.map((p: any) => ({ ...p, at: e.at })));
  }

  waitForPosition(deviceId: string, ts: number, timeoutMs = 15_000) {
    return waitUntil(
      `a position of ${deviceId} at ${ts} on the stream`,
      async () => this.positions().find((p) => p.deviceId === deviceId && p.ts === ts),
      timeoutMs,
    );
  }

  close() {
    this.abort.abort();
  }
}

const gps = (seq: number, ts: number, over: Record<string, unknown> = {}) => ({
  seq,
  ts,
  lat: 23.152,
  lng: 113.252,
  spd: 12,
  hdg: 90,
  ign: true,
  ops: { sweep: true },
  ...over,
});

describe('live map, stream and track playback', () => {
  const h = new ApiHarness();
  const prefix = uniqueName('live');
  let ingest: RunningService;
  let A: TenantWorld;
  let B: TenantWorld;
  const clients = new Map<string, MqttClient>();
  const streams: SseClient[] = [];
  const ingestId = `${prefix}-ingest`;
  let seq = 100;

  const device = (t: TenantWorld, kind: 'gps' | 'badge') => `${kind === 'gps' ? 'gps' : 'bdg'}-${t.key}-0001`;

  async function send(deviceId: string, body: unknown): Promise<void> {
    const channel = deviceId.startsWith('gps') ? 'gps' : 'badge';
    await clients
      .get(deviceId)!
      .publishAsync(`dwg/v1/${deviceId}/${channel}`, JSON.stringify(body), { qos: 1 });
  }

  async function tokenOf(t: TenantWorld, role: keyof TenantWorld['users']) {
    return h.login(t.users[role].username, t.users[role].password);
  }

  async function openStream(token: string): Promise<SseClient> {
    const ticket = (await h.as(token, 'POST', '/api/live/ticket', undefined, 200)).body.ticket as string;
    const s = await SseClient.open(`${h.api.url}/api/live/stream?access_token=${encodeURIComponent(ticket)}`);
    expect(s.status).toBe(200);
    streams.push(s);
    await waitUntil('the stream to be ready', async () => s.events.some((e) => e.event === 'ready'));
    return s;
  }

  beforeAll(async () => {
    await h.setup('live', { REDIS_PREFIX: prefix, LIVE_REFRESH_MS: '1000' });
    A = await buildTenant(h, 'la', 0);
    B = await buildTenant(h, 'lb', 1);
    const admin = await h.admin();
    for (const t of [A, B]) {
      const badge = await h.create('devices', {
        id: device(t, 'badge'),
        kind: 'badge',
        contractId: t.contractId,
        workerId: t.ids.workers,
      });
      const rotated = await h.as(
        admin,
        'POST',
        `/api/devices/${device(t, 'gps')}/credentials`,
        undefined,
        201,
      );
      for (const [id, secret] of [
        [device(t, 'gps'), rotated.body.secret as string],
        [device(t, 'badge'), badge.secret as string],
      ]) {
        const c = await waitUntil(`${id} to connect`, () =>
          mqtt
            .connectAsync(testUrls().MQTT_URL, {
              username: id,
              password: secret,
              protocolVersion: 5,
              reconnectPeriod: 0,
              connectTimeout: 5000,
            })
            .catch(() => null),
        );
        clients.set(id, c);
      }
    }
    ingest = await startService('ingest', {
      MONGO_URL: h.db.url,
      REDIS_PREFIX: prefix,
      INGEST_SHARE_GROUP: uniqueName('grp'),
      INSTANCE_ID: ingestId,
      INGEST_MQTT_CONNECTIONS: '4',
    });
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    for (const c of clients.values()) await c.endAsync().catch(() => undefined);
    await ingest?.stop();
    await forgetSessions([0, 1, 2, 3].map((i) => `${ingestId}-${i}`));
    await h.teardown();
  });

  it('lists exactly the in-scope devices with their positions once records flow through ingest', async () => {
    const now = Date.now();
    // The worker's task and alarm documents (issue 4a) are joined in when present.
    await h.db.db.collection('tasks').insertOne({
      _id: 'task-la-1' as never,
      id: 'task-la-1',
      day: '2025-03-03',
      windowStart: now - 3_600_000,
      windowEnd: now + 3_600_000,
      subjects: [device(A, 'gps')],
      zoneId: A.ids.zones,
    });
    await h.db.db.collection('alarms').insertOne({
      _id: 'alarm-la-1' as never,
      alarmId: 'alarm-la-1',
      status: 'open',
      type: 'sos',
      deviceId: device(A, 'badge'),
      subjectKind: 'worker',
      subjectId: A.ids.workers,
      contractId: A.contractId,
      changedAt: new Date(now).toISOString(),
    });
    for (const t of [A, B]) {
      await send(device(t, 'gps'), gps(seq++, now - 2000, { lng: 113.254 }));
      await send(device(t, 'badge'), { seq: seq++, ts: now - 2000, lat: 23.153, lng: 113.253, bat: 81 });
    }
    const admin = await h.admin();
    const all = await waitUntil('four devices with positions in the snapshot', async () => {
      const res = await h.as(admin, 'GET', '/api/live/snapshot', undefined, 200);
      const items = res.body.items as any[];
      return items.length === 4 && items.every((i) => i.position) ? items : null;
    });
    expect(all.map((i) => i.deviceId).sort()).toEqual(
      [device(A, 'badge'), device(A, 'gps'), device(B, 'badge'), device(B, 'gps')].sort(),
    );

    for (const [t, role] of [
      [A, 'dispatcher'],
      [A, 'gov_reviewer'],
      [B, 'gov_reviewer'],
      [B, 'field_worker'],
    ] as const) {
      const res = await h.as(await tokenOf(t, role), 'GET', '/api/live/snapshot', undefined, 200);
      const items = res.body.items as any[];
      expect(`${t.key} ${role}: ${items.map((i) => i.deviceId).sort()}`).toBe(
        `${t.key} ${role}: ${[device(t, 'badge'), device(t, 'gps')].sort()}`,
      );
    }

    const mine = (await h.as(await tokenOf(A, 'dispatcher'), 'GET', '/api/live/snapshot', undefined, 200))
      .body.items as any[];
    const vehicle = mine.find((i) => i.kind === 'gps');
    expect(vehicle).toMatchObject({
      deviceId: device(A, 'gps'),
      subject: { type: 'vehicle', id: A.ids.vehicles, name: expect.stringContaining('LA') },
      contractId: A.contractId,
      teamId: A.ids.teams,
      zoneId: A.ids.zones,
      position: { lng: 113.254, lat: 23.152 },
      speed: 12,
      status: 'working',
      taskId: 'task-la-1',
      openAlarms: 0,
      lastSeenAt: expect.any(String),
    });
    const worker = mine.find((i) => i.kind === 'badge');
    expect(worker).toMatchObject({
      deviceId: device(A, 'badge'),
      subject: { type: 'worker', id: A.ids.workers, name: 'worker la' },
      teamId: A.ids.teams,
      // No task names its zone: the zone comes from the team's shift.
      zoneId: A.ids.zones,
      position: { lng: 113.253, lat: 23.153 },
      battery: 81,
      status: 'alarm',
      taskId: null,
      openAlarms: 1,
    });
    const filtered = await h.as(admin, 'GET', `/api/live/snapshot?status=alarm`, undefined, 200);
    expect(filtered.body.items.map((i: any) => i.deviceId)).toEqual([device(A, 'badge')]);
    const bad = await h.as(admin, 'GET', `/api/live/snapshot?status=busy`, undefined, 400);
    expect(JSON.stringify(bad.body)).toContain('status must be one of working, idle, offline, alarm');
  });

  it('delivers a position published over MQTT to the stream in under a second', async () => {
    const stream = await openStream(await tokenOf(A, 'dispatcher'));
    const id = device(A, 'gps');
    // Warm-up: the first fix after the stream opened also proves the path works at all.
    const warm = Date.now();
    await send(id, gps(seq++, warm));
    await stream.waitForPosition(id, warm);
    const delays: number[] = [];
    for (let k = 0; k < 5; k++) {
      const ts = Date.now() + k; // distinct fix times identify each record on the stream
      const publishedAt = Date.now();
      await send(id, gps(seq++, ts, { lat: 23.152 + k * 1e-4 }));
      const got = await stream.waitForPosition(id, ts);
      delays.push(got.at - publishedAt);
      expect(got).toMatchObject({
        lat: 23.152 + k * 1e-4,
        spd: 12,
        status: 'working',
        contractId: A.contractId,
      });
    }
    process.stdout.write(`live: MQTT publish → SSE arrival, ms: ${delays.join(', ')}\n`);
    expect(Math.max(...delays)).toBeLessThan(1000);
  });

  it("keeps other agencies' devices out of a reviewer's stream and refuses streams without a valid token", async () => {
    const reviewer = await openStream(await tokenOf(A, 'gov_reviewer'));
    const admin = await openStream(await h.admin());
    const ts = Date.now();
    // B's fixes are journaled first, so by the time A's arrives the hub has handled B's (one ordered channel).
    await send(device(B, 'gps'), gps(seq++, ts));
    await send(device(B, 'badge'), { seq: seq++, ts, lat: 23.153, lng: 113.273, bat: 50 });
    await send(device(A, 'gps'), gps(seq++, ts));
    await reviewer.waitForPosition(device(A, 'gps'), ts);
    await admin.waitForPosition(device(B, 'gps'), ts);
    await admin.waitForPosition(device(B, 'badge'), ts);
    const seen = new Set(reviewer.positions().map((p) => p.deviceId));
    expect([...seen].sort()).toEqual([device(A, 'gps')]);
    expect(reviewer.positions().every((p) => p.contractId === A.contractId)).toBe(true);

    const anonymous = await SseClient.open(`${h.api.url}/api/live/stream`);
    expect(anonymous.status).toBe(401);
    const forged = await SseClient.open(`${h.api.url}/api/live/stream?access_token=not-a-token`);
    expect(forged.status).toBe(401);
    // The query token is accepted on streams only.
    const ticket = (await h.as(await h.admin(), 'POST', '/api/live/ticket', undefined, 200)).body.ticket;
    const res = await fetch(`${h.api.url}/api/live/snapshot?access_token=${ticket}`);
    expect(res.status).toBe(401);
    // A ticket is not a bearer token either.
    const asBearer = await fetch(`${h.api.url}/api/live/snapshot`, {
      headers: { authorization: `Bearer ${ticket}` },
    });
    expect(asBearer.status).toBe(401);
    // The ticket never reaches the logs.
    await waitUntil('the refused request in the log', async () =>
      h.api.logs.some((l) => l.includes('/api/live/snapshot?access_token=[redacted]')),
    );
    expect(h.api.logs.some((l) => l.includes(ticket))).toBe(false);
  });

  it('plays back a track: simplified and raw fixes, stops and speeds; rejects bad ranges', async () => {
    const id = device(A, 'gps');
    const t0 = Date.now() - 3 * 3_600_000;
    const step = 10_000;
    const d = 0.0005; // ≈ 51 m of longitude at 23° N per fix: about 18 km/h
    const records: Record<string, unknown>[] = [];
    // 60 fixes driving east, 48 parked (7 min 50 s), 30 driving north.
    for (let i = 0; i < 60; i++)
      records.push(gps(seq++, t0 + i * step, { lng: 113.3 + i * d, lat: 23.2, spd: 18 }));
    for (let i = 0; i < 48; i++)
      records.push(gps(seq++, t0 + (60 + i) * step, { lng: 113.3 + 60 * d, lat: 23.2, spd: 0, ops: {} }));
    for (let i = 1; i <= 30; i++)
      records.push(gps(seq++, t0 + (107 + i) * step, { lng: 113.3 + 60 * d, lat: 23.2 + i * d, spd: 20 }));
    await send(id, records);
    const from = new Date(t0 - 60_000).toISOString();
    const to = new Date(t0 + 140 * step).toISOString();
    const dispatcher = await tokenOf(A, 'dispatcher');
    const path = `/api/tracks/${id}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const track = await waitUntil('138 fixes stored', async () => {
      const res = await h.as(dispatcher, 'GET', path, undefined, 200);
      return res.body.count === 138 ? res.body : null;
    });
    expect(track.raw).toBeUndefined();
    // Two straight legs: start, corner(s), end.
    expect(track.simplified.length).toBeGreaterThanOrEqual(3);
    expect(track.simplified.length).toBeLessThanOrEqual(5);
    expect(track.simplified[0]).toMatchObject({ ts: t0, lng: 113.3, lat: 23.2, spd: 18 });
    expect(track.simplified.at(-1)).toMatchObject({ ts: t0 + 137 * step, lat: 23.2 + 30 * d });
    expect(track.stops).toHaveLength(1);
    expect(track.stops[0]).toMatchObject({
      start: t0 + 60 * step,
      end: t0 + 107 * step,
      durationS: 470,
      points: 48,
    });
    expect(track.stops[0].lng).toBeCloseTo(113.3 + 60 * d, 6);
    expect(track.speeds).toHaveLength(138);
    expect(track.speeds[0]).toEqual({ ts: t0, spd: 18 });
    expect(track.lengthM).toBeGreaterThan(4000);

    const raw = (await h.as(dispatcher, 'GET', `${path}&raw=1&tolerance=0`, undefined, 200)).body;
    expect(raw.raw).toHaveLength(138);
    expect(raw.simplified).toHaveLength(138);
    expect(raw.raw.map((p: any) => p.ts)).toEqual(records.map((r) => r.ts));

    // A reviewer of the same agency may play it back; the other tenant and unknown devices get 404.
    await h.as(await tokenOf(A, 'gov_reviewer'), 'GET', path, undefined, 200);
    const other = await h.as(await tokenOf(B, 'dispatcher'), 'GET', path, undefined, 404);
    expect(other.body.message).toBe(`device "${id}" not found`);
    await h.as(dispatcher, 'GET', path.replace(id, 'gps-nobody-0001'), undefined, 404);

    const long = await h.as(
      dispatcher,
      'GET',
      `/api/tracks/${id}?from=2025-03-03T00:00:00Z&to=2025-03-04T01:00:00Z`,
      undefined,
      400,
    );
    expect(JSON.stringify(long.body)).toContain('spans at most 24 h');
    const backwards = await h.as(
      dispatcher,
      'GET',
      `/api/tracks/${id}?from=${to}&to=${from}`,
      undefined,
      400,
    );
    expect(JSON.stringify(backwards.body)).toContain('to must be after from');
    const missing = await h.as(dispatcher, 'GET', `/api/tracks/${id}?to=${to}&tolerance=-1`, undefined, 400);
    expect(missing.body.message).toEqual([
      expect.stringContaining('from is required'),
      'tolerance must be a number from 0 to 1000',
    ]);
  });

  it("sends status messages and alarm changes of the caller's scope only", async () => {
    const reviewer = await openStream(await tokenOf(A, 'gov_reviewer'));
    const other = await openStream(await tokenOf(B, 'dispatcher'));
    for (const t of [B, A])
      await clients.get(device(t, 'badge'))!.publishAsync(`dwg/v1/${device(t, 'badge')}/status`, 'offline', {
        qos: 1,
      });
    const statusOf = (s: SseClient, id: string) =>
      waitUntil(`an offline status of ${id}`, async () =>
        s.events.find((e) => e.event === 'status' && e.data.statuses.some((x: any) => x.deviceId === id)),
      );
    await statusOf(reviewer, device(A, 'badge'));
    await statusOf(other, device(B, 'badge'));
    const statuses = (s: SseClient) =>
      s.events.filter((e) => e.event === 'status').flatMap((e) => e.data.statuses);
    expect(statuses(reviewer)).toEqual([
      { deviceId: device(A, 'badge'), online: false, at: expect.any(Number) },
    ]);
    expect(statuses(other).map((x: any) => x.deviceId)).toEqual([device(B, 'badge')]);

    const changedAt = new Date().toISOString();
    for (const t of [B, A])
      await h.db.db.collection('alarms').insertOne({
        _id: `alarm-${t.key}-2` as never,
        alarmId: `alarm-${t.key}-2`,
        rev: 1,
        status: 'open',
        type: 'overspeed',
        deviceId: device(t, 'gps'),
        subjectKind: 'vehicle',
        subjectId: t.ids.vehicles,
        contractId: t.contractId,
        changedAt,
      });
    const alarmOf = (s: SseClient, id: string) =>
      waitUntil(`alarm ${id} on the stream`, async () =>
        s.events.find((e) => e.event === 'alarm' && e.data.id === id),
      );
    expect((await alarmOf(reviewer, 'alarm-la-2')).data).toMatchObject({
      type: 'overspeed',
      status: 'open',
      deviceId: device(A, 'gps'),
    });
    await alarmOf(other, 'alarm-lb-2');
    const alarms = (s: SseClient) => s.events.filter((e) => e.event === 'alarm').map((e) => e.data);
    expect(alarms(reviewer).every((a) => a.contractId === A.contractId)).toBe(true);
    expect(alarms(other).map((a) => a.id)).toEqual(['alarm-lb-2']);
  });

  it('ends open streams when the api shuts down, so the process exits', async () => {
    const stream = await openStream(await tokenOf(B, 'dispatcher'));
    // An open stream would hold the HTTP server (and the process) open: stop() returns only once it has exited.
    await h.api.stop();
    expect(h.api.process.exitCode ?? h.api.process.signalCode).not.toBeNull();
    expect(h.api.logs.some((l) => l.includes('api stopped'))).toBe(true);
    expect(stream.events.at(-1)).toMatchObject({ event: 'bye' });
  });
});
