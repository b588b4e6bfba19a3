/* eslint-disable @typescript-eslint/no-explicit-any -- API response bodies checked field by field */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  DOMAIN_EVENTS,
  domainEventJobId,
  QUEUES,
  WORK_ORDER_ACTIONS,
  type AlarmChanged,
} from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import { startService, testUrls, uniqueName, waitUntil, type RunningService } from '@dwg/testing';
import { publishDomainEvent } from '../../worker/src/events/domain-event-bus';
import { hashKey } from '../src/work-orders/api-keys';
import { testJpeg, testPng } from '../src/work-orders/test-images';
import { ApiHarness, buildTenant, type Res, type TenantWorld } from './harness';

/**
 * The work-order loop end to end with real processes: the api (reports, actions, Open311) and the worker
 * (deadline timers, alarm subscriber) on one database and one Redis prefix.
 */
describe('work orders', () => {
  const h = new ApiHarness();
  const prefix = uniqueName('wo');
  const OPEN311_KEY = 'test-open311-key-0123456789';
  let worker: RunningService;
  let a: TenantWorld;
  let b: TenantWorld;
  let events: Queue;
  const tok: Record<string, string> = {};

  // Tenant a's geography: street box(113.25, 23.15, 0.01), grid box(113.25, 23.15, 0.005); tenant b is 0.02 east.
  const IN_GRID_A = { lng: 113.252, lat: 23.152 };
  const IN_STREET_A = { lng: 113.258, lat: 23.158 };
  const IN_GRID_B = { lng: 113.272, lat: 23.152 };
  const NOWHERE = { lng: 113.9, lat: 23.9 };

  async function multipart(
    token: string | null,
    method: string,
    path: string,
    fields: Record<string, string | number | boolean>,
    files: { field?: string; name: string; data: Buffer }[] = [],
  ): Promise<Res> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
    for (const f of files) form.append(f.field ?? 'photos', new Blob([f.data]), f.name);
    const res = await fetch(`${h.api.url}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: form,
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // XML or binary
    }
    return { status: res.status, body, headers: res.headers };
  }

  const json = async (url: string): Promise<any> => (await fetch(url)).json();
  const jpeg = (name = 'p.jpg', exif = {}) => ({ name, data: testJpeg(exif) });

  async function report(token: string, at: { lng: number; lat: number }, category = 'litter', extra = {}) {
    const res = await multipart(
      token,
      'POST',
      '/api/work-orders',
      { category, ...at, description: `${category} here`, ...extra },
      [jpeg()],
    );
    if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const act = (token: string, id: string, action: string, body: unknown = {}) =>
    h.as(token, 'POST', `/api/work-orders/${id}/actions/${action}`, body);
  const get = async (id: string) =>
    (await h.as(await h.admin(), 'GET', `/api/work-orders/${id}`, undefined, 200)).body;
  const raw = (id: string) => h.db.db.collection(COLLECTIONS.workOrders).findOne({ _id: id as never });

  beforeAll(async () => {
    await h.setup('wo', { REDIS_PREFIX: prefix, BROKER_AUTH_MODE: 'none' });
    a = await buildTenant(h, 'a', 0);
    b = await buildTenant(h, 'b', 1);
    for (const t of [a, b])
      for (const [role, u] of Object.entries(t.users))
        tok[`${t.key}.${role}`] = await h.login(u.username, u.password);
    await h.db.db.collection(COLLECTIONS.open311Keys).insertOne({
      _id: 'test-bridge' as never,
      name: 'test bridge',
      keyHash: hashKey(OPEN311_KEY),
      operatorId: a.operatorId,
      agencyId: a.agencyId,
      enabled: true,
    });
    events = new Queue(QUEUES.domainEvents, {
      connection: new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: `${prefix}:bull`,
    });
    worker = await startService('worker', {
      MONGO_URL: h.db.url,
      REDIS_PREFIX: prefix,
      INSTANCE_ID: `${prefix}-w`,
    });
    // round the clock, so deadlines below do not depend on the hour the tests run at
    for (const t of [a, b])
      await h.as(
        tok[`${t.key}.operator_manager`],
        'PUT',
        `/api/calendars/${t.contractId}`,
        { start: '00:00', end: '24:00' },
        200,
      );
  });

  afterAll(async () => {
    await worker?.stop();
    await events?.close();
    await h.teardown();
  });

  it('refuses a non-image upload, checked by content not by name', async () => {
    const res = await multipart(
      tok['a.field_worker'],
      'POST',
      '/api/work-orders',
      { category: 'litter', ...IN_GRID_A },
      [{ name: 'photo.jpg', data: Buffer.from('%PDF-1.7 pretending to be a photo') }],
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toEqual([
      'photos: "photo.jpg" is not a JPEG, PNG or HEIC image (checked by content)',
    ]);
    const none = await multipart(tok['a.field_worker'], 'POST', '/api/work-orders', {
      category: 'litter',
      ...IN_GRID_A,
    });
    expect(none.status).toBe(400);
    expect(none.body.message).toContain('photos: at least 1 photo required');
    expect(await h.db.db.collection(COLLECTIONS.workOrders).countDocuments({})).toBe(0);
  });

  it('runs the whole loop, each role doing its part, and records every step', async () => {
    const o = await report(tok['a.field_worker'], IN_GRID_A);
    expect(o).toMatchObject({
      state: 'dispatched',
      teamId: a.ids.teams,
      zoneId: a.ids.zones,
      contractId: a.contractId,
      operatorId: a.operatorId,
      agencyId: a.agencyId,
      allowedActions: ['accept'],
    });
    expect(Date.parse(o.dueAt) - Date.parse(o.dispatchedAt)).toBe(60 * 60_000 * 1); // litter: 60 working minutes
    const photo = await fetch(`${h.api.url}/api/work-orders/${o.id}/photos/${o.photos[0].id}`, {
      headers: { authorization: `Bearer ${tok['a.field_worker']}` },
    });
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await photo.arrayBuffer()).equals(testJpeg())).toBe(true);

    // reviewers read their agency's orders only, and never act
    expect((await h.as(tok['a.gov_reviewer'], 'GET', `/api/work-orders/${o.id}`)).status).toBe(200);
    expect((await h.as(tok['b.gov_reviewer'], 'GET', `/api/work-orders/${o.id}`)).status).toBe(404);
    expect((await h.as(tok['b.dispatcher'], 'GET', `/api/work-orders/${o.id}`)).status).toBe(404);
    expect((await act(tok['a.gov_reviewer'], o.id, 'accept')).status).toBe(403);

    await act(tok['a.field_worker'], o.id, 'accept', {}).then((r) => expect(r.status).toBe(200));
    await act(tok['a.field_worker'], o.id, 'start', {}).then((r) => expect(r.status).toBe(200));
    const noPhoto = await act(tok['a.field_worker'], o.id, 'resolve', {});
    expect(noPhoto.status).toBe(400);
    expect(noPhoto.body.message[0]).toContain('a result photo is required');

    // a result photo taken before dispatch (EXIF, China time) and far away is flagged, not silently accepted
    const early = new Date(Date.parse(o.dispatchedAt) - 3600_000 + 8 * 3600_000)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 19)
      .replace(/-/g, ':');
    const bad = await multipart(
      tok['a.field_worker'],
      'POST',
      `/api/work-orders/${o.id}/actions/resolve`,
      { comment: 'done' },
      [jpeg('after.jpg', { takenAt: early, pos: { lng: 113.3, lat: 23.2 } })],
    );
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ state: 'resolved', flagged: true });
    expect(bad.body.closeOut.problems).toHaveLength(2);
    expect(bad.body.closeOut.problems[0]).toContain('before dispatch');
    expect(bad.body.closeOut.problems[1]).toMatch(/m from the location \(limit 150 m\)/);

    expect((await act(tok['a.field_worker'], o.id, 'verify', { fixed: true })).status).toBe(403);
    expect((await act(tok['a.dispatcher'], o.id, 'send_back', {})).body.message).toBe(
      'reason is required to send work back (返工)',
    );
    const back = await act(tok['a.dispatcher'], o.id, 'send_back', { reason: 'photo is not of this place' });
    expect(back.body).toMatchObject({ state: 'in_progress', reopenedCount: 1, flagged: false });

    const good = await multipart(
      tok['a.field_worker'],
      'POST',
      `/api/work-orders/${o.id}/actions/resolve`,
      {},
      [{ name: 'after.png', data: testPng() }],
    );
    expect(good.body).toMatchObject({ state: 'resolved', flagged: false });
    expect((await act(tok['a.dispatcher'], o.id, 'verify', {})).body.message).toBe(
      'fixed must be true or false: closing records whether the problem was fixed',
    );
    const closed = await act(tok['a.dispatcher'], o.id, 'verify', { fixed: true, comment: 'clean now' });
    expect(closed.body).toMatchObject({ state: 'closed', fixed: true });

    expect((await act(tok['a.dispatcher'], o.id, 'rate', { rating: 5 })).status).toBe(403);
    expect((await act(tok['a.field_worker'], o.id, 'rate', { rating: 9 })).status).toBe(400);
    expect((await act(tok['a.field_worker'], o.id, 'rate', { rating: 4 })).body).toMatchObject({ rating: 4 });
    expect((await act(tok['a.field_worker'], o.id, 'rate', { rating: 5 })).status).toBe(409);

    const full = await get(o.id);
    expect(full.history.map((e: any) => e.action)).toEqual([
      'report',
      'dispatch',
      'accept',
      'start',
      'resolve',
      'send_back',
      'resolve',
      'verify',
      'rate',
    ]);
    expect(full.photos.map((p: any) => p.kind)).toEqual(['report', 'result', 'result']);
    const audit = await h.db.db
      .collection(COLLECTIONS.auditLog)
      .find({ resource: 'work-orders', resourceId: o.id })
      .toArray();
    expect(audit.map((e) => e.action)).toEqual(
      ['report', 'accept', 'start', 'resolve', 'send_back', 'resolve', 'verify', 'rate'].map(
        (x) => `work-order.${x}`,
      ),
    );
  });

  it("attaches the handlers' badge track and flags a close-out when no badge came near", async () => {
    const badge = await h.create('devices', {
      id: `bdg-${prefix}`,
      kind: 'badge',
      contractId: a.contractId,
      workerId: a.ids.workers,
    });
    const at = { lng: 113.2531, lat: 23.1519 }; // grid a, outside the litter rule added later
    const fix = async (lng: number, lat: number, seq: number) =>
      h.db.db.collection(COLLECTIONS.telemetry).insertOne({
        deviceId: badge.id,
        kind: 'badge',
        seq,
        ts: new Date(),
        receivedAt: new Date(),
        loc: { type: 'Point', coordinates: [lng, lat] },
        late: false,
      } as never);
    const handle = async (id: string) => {
      await act(tok['a.field_worker'], id, 'accept');
      await act(tok['a.field_worker'], id, 'start');
    };
    const near = await report(tok['a.field_worker'], at, 'illegal_dumping');
    await handle(near.id);
    await fix(at.lng + 0.0001, at.lat, 1); // ~10 m
    const ok = await multipart(
      tok['a.field_worker'],
      'POST',
      `/api/work-orders/${near.id}/actions/resolve`,
      {},
      [jpeg()],
    );
    expect(ok.body).toMatchObject({ state: 'resolved', flagged: false });
    expect(ok.body.closeOut.evidence).toMatchObject({ badgeFixes: 1, timeSource: 'none' });
    expect(ok.body.closeOut.evidence.nearestBadgeM).toBeLessThan(20);
    expect(ok.body.closeOut.badgeTrack).toEqual([
      expect.objectContaining({ deviceId: badge.id, lng: at.lng + 0.0001, lat: at.lat }),
    ]);

    const away = await report(tok['a.field_worker'], { lng: 113.2539, lat: 23.1561 }, 'illegal_dumping');
    await handle(away.id);
    await fix(at.lng, at.lat, 2); // the badge stayed at the first place, ~470 m away
    const flagged = await multipart(
      tok['a.field_worker'],
      'POST',
      `/api/work-orders/${away.id}/actions/resolve`,
      {},
      [jpeg()],
    );
    expect(flagged.body.flagged).toBe(true);
    expect(flagged.body.closeOut.problems).toEqual([
      expect.stringMatching(
        /^no handler badge came within 150 m of the location while the order was handled \(nearest \d+ m\)$/,
      ),
    ]);
    const list = await h.as(
      tok['a.dispatcher'],
      'GET',
      `/api/work-orders?filter=${encodeURIComponent('{"flagged":true}')}`,
      undefined,
      200,
    );
    expect(list.body.map((x: any) => x.id)).toContain(away.id);
    expect(list.body.map((x: any) => x.id)).not.toContain(near.id);
  });

  it("takes presence from a handler badge's last fix near the place without reading the track", async () => {
    const badge = await h.create('devices', {
      id: `bdg2-${prefix}`,
      kind: 'badge',
      contractId: a.contractId,
      workerId: a.ids.workers,
    });
    const at = { lng: 113.2508, lat: 23.1538 }; // grid a
    const o = await report(tok['a.field_worker'], at, 'illegal_dumping');
    await act(tok['a.field_worker'], o.id, 'accept');
    await act(tok['a.field_worker'], o.id, 'start');
    const loc = (lng: number, lat: number) => ({ type: 'Point', coordinates: [lng, lat] });
    // As ingest stores them: the track in telemetry (here only a fix far away) and the newest fix in device_state.
    await h.db.db.collection(COLLECTIONS.telemetry).insertOne({
      deviceId: badge.id,
      kind: 'badge',
      seq: 1,
      ts: new Date(),
      receivedAt: new Date(),
      loc: loc(113.2545, 23.1505),
      late: false,
    } as never);
    const last = { ts: new Date(), kind: 'badge', seq: 2, loc: loc(at.lng + 0.0001, at.lat) };
    await h.db.db
      .collection(COLLECTIONS.deviceState)
      .insertOne({ _id: badge.id, last, lastSeenAt: last.ts, firstSeenAt: last.ts } as never);
    const res = await multipart(
      tok['a.field_worker'],
      'POST',
      `/api/work-orders/${o.id}/actions/resolve`,
      {},
      [jpeg()],
    );
    expect(res.body).toMatchObject({ state: 'resolved', flagged: false });
    // The far fix in telemetry was not needed, so not read: the evidence is the last fix.
    expect(res.body.closeOut.evidence).toMatchObject({ badgeFixes: 1 });
    expect(res.body.closeOut.evidence.nearestBadgeM).toBeLessThan(20);
    expect(res.body.closeOut.badgeTrack).toEqual([
      expect.objectContaining({ deviceId: badge.id, lng: at.lng + 0.0001, lat: at.lat }),
    ]);
  });

  it('answers every illegal transition with 409 naming the allowed actions', async () => {
    const o = await report(tok['a.field_worker'], IN_STREET_A, 'six_disorders'); // no patrol team: screening
    await act(tok['a.dispatcher'], o.id, 'reject', { reason: 'private land', kind: 'not_ours' }).then((r) =>
      expect(r.body.state).toBe('rejected'),
    );
    for (const action of WORK_ORDER_ACTIONS) {
      const r = await act(tok['a.dispatcher'], o.id, action, {});
      expect(r.status).toBe(409);
      expect(r.body.message).toEqual([
        `cannot ${action} a work order that is rejected; allowed now: none`,
        'allowed: ',
      ]);
    }
    const d = await report(tok['a.field_worker'], IN_STREET_A, 'litter');
    const r = await act(tok['a.dispatcher'], d.id, 'verify', { fixed: true });
    expect(r.status).toBe(409);
    expect(r.body.message[1]).toBe('allowed: reroute, accept, reject, merge');
    expect((await act(tok['a.dispatcher'], d.id, 'fly', {})).status).toBe(400);
  });

  it('routes by zone and rules, and keeps the unplaceable in a screening queue', async () => {
    const team2 = await h.create('teams', {
      contractId: a.contractId,
      name: 'team a2',
      serviceLine: 'sanitation',
    });
    await h.as(
      tok['a.operator_manager'],
      'PUT',
      `/api/routing-rules/${a.contractId}`,
      {
        rules: [{ category: 'litter', teamId: team2.id, zoneId: a.ids.zones }],
      },
      200,
    );
    const bad = await h.as(tok['a.operator_manager'], 'PUT', `/api/routing-rules/${a.contractId}`, {
      rules: [{ category: 'nope', teamId: b.ids.teams }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual([
      'rules[0].category is not a known category',
      `rules[0].teamId: no team "${b.ids.teams}" in contract "${a.contractId}"`,
    ]);
    expect((await report(tok['a.field_worker'], { lng: 113.2525, lat: 23.1525 })).teamId).toBe(team2.id);
    expect((await report(tok['a.field_worker'], IN_STREET_A)).teamId).toBe(a.ids.teams); // outside the rule's grid
    expect((await report(tok['b.field_worker'], IN_GRID_B)).teamId).toBe(b.ids.teams);

    const outside = await report(tok['a.field_worker'], NOWHERE);
    expect(outside).toMatchObject({
      state: 'screening',
      teamId: null,
      routingReason: 'outside every zone',
      operatorId: a.operatorId,
    });
    const unknown = await report(tok['a.field_worker'], IN_GRID_A, 'graffiti_on_the_moon');
    expect(unknown).toMatchObject({
      state: 'screening',
      routingReason: 'unknown category',
      categoryKnown: false,
    });

    const queue = await h.as(
      tok['a.dispatcher'],
      'GET',
      `/api/work-orders?filter=${encodeURIComponent('{"state":"screening"}')}`,
      undefined,
      200,
    );
    expect(queue.body.map((x: any) => x.id).sort()).toEqual([outside.id, unknown.id].sort());
    expect(queue.headers.get('content-range')).toBe('work-orders 0-1/2');
    const other = await h.as(
      tok['b.dispatcher'],
      'GET',
      `/api/work-orders?filter=${encodeURIComponent('{"state":"screening"}')}`,
      undefined,
      200,
    );
    expect(other.body).toEqual([]);

    const noCat = await act(tok['a.dispatcher'], unknown.id, 'dispatch', { teamId: a.ids.teams });
    expect(noCat.status).toBe(400);
    expect(noCat.body.message[0]).toContain('category "graffiti_on_the_moon" is unknown');
    expect(
      (
        await act(tok['a.dispatcher'], unknown.id, 'dispatch', {
          teamId: b.ids.teams,
          category: 'illegal_ad',
        })
      ).status,
    ).toBe(400);
    const sent = await act(tok['a.dispatcher'], unknown.id, 'dispatch', {
      teamId: a.ids.teams,
      category: 'illegal_ad',
    });
    expect(sent.body).toMatchObject({ state: 'dispatched', category: 'illegal_ad', teamId: a.ids.teams });
    expect(sent.body.dueAt).toBeTruthy();
    expect(
      (await act(tok['a.dispatcher'], unknown.id, 'reroute', { teamId: team2.id })).body.message,
    ).toEqual(['reason is required to re-route']);
    const rerouted = await act(tok['a.dispatcher'], unknown.id, 'reroute', {
      teamId: team2.id,
      reason: 'closer team',
    });
    expect(rerouted.body).toMatchObject({ state: 'dispatched', teamId: team2.id, dueAt: sent.body.dueAt });
    expect(rerouted.body.history.at(-1)).toMatchObject({ action: 'reroute', note: 'closer team' });
  });

  it('offers open reports nearby as duplicates, and merges them', async () => {
    const spot = { lng: 113.2541, lat: 23.1541 };
    const first = await report(tok['a.field_worker'], spot, 'illegal_dumping');
    const offer = await h.as(
      tok['a.field_worker'],
      'GET',
      `/api/work-orders/duplicates?category=illegal_dumping&lng=113.2542&lat=23.1541`,
      undefined,
      200,
    );
    expect(offer.body.map((d: any) => d.id)).toEqual([first.id]);
    expect(offer.body[0].distanceM).toBeLessThan(20);
    const far = await h.as(
      tok['a.field_worker'],
      'GET',
      `/api/work-orders/duplicates?category=illegal_dumping&lng=113.257&lat=23.1541`,
      undefined,
      200,
    );
    expect(far.body).toEqual([]);
    const other = await h.as(
      tok['a.field_worker'],
      'GET',
      `/api/work-orders/duplicates?category=litter&lng=113.2541&lat=23.1541`,
      undefined,
      200,
    );
    expect(other.body.map((d: any) => d.id)).not.toContain(first.id);

    const second = await report(tok['a.field_worker'], { lng: 113.2542, lat: 23.1541 }, 'illegal_dumping');
    expect(second.possibleDuplicates.map((d: any) => d.id)).toEqual([first.id]);
    expect((await act(tok['a.dispatcher'], second.id, 'merge', { into: second.id })).status).toBe(400);
    const merged = await act(tok['a.dispatcher'], second.id, 'merge', { into: first.id });
    expect(merged.body).toMatchObject({ state: 'merged', mergedInto: first.id });
    expect((await get(first.id)).mergedFrom).toEqual([second.id]);
    expect((await act(tok['a.field_worker'], second.id, 'merge', { into: first.id })).status).toBe(403);
  });

  it('gives yellow and red cards on a shortened calendar, and the timers survive a worker restart', async () => {
    // round the clock; illegal_dumping due after 3 s, red after 24 s of working time
    await h.as(
      tok['a.operator_manager'],
      'PUT',
      `/api/calendars/${a.contractId}`,
      {
        start: '00:00',
        end: '24:00',
        workDays: [1, 2, 3, 4, 5, 6, 7],
        deadlines: { illegal_dumping: { dueMin: 0.05, redMin: 0.4 } },
      },
      200,
    );
    const dispatcherPut = await h.as(tok['a.dispatcher'], 'PUT', `/api/calendars/${a.contractId}`, {
      start: '01:00',
    });
    expect(dispatcherPut.status).toBe(403);
    const o = await report(tok['a.field_worker'], { lng: 113.2511, lat: 23.1511 }, 'illegal_dumping');
    expect(Date.parse(o.dueAt) - Date.parse(o.dispatchedAt)).toBe(3000);
    const yellow = await waitUntil('yellow card', async () => (await raw(o.id))?.yellowCardAt, 30_000);
    expect(Date.parse(yellow)).toBeGreaterThanOrEqual(Date.parse(o.dueAt));
    await worker.stop();
    expect((await raw(o.id))?.redCardAt ?? null).toBeNull();
    // the worker is down when the red card falls due
    await sleep(Math.max(0, Date.parse(o.redDueAt) - Date.now() + 1000));
    expect((await raw(o.id))?.redCardAt ?? null).toBeNull();
    worker = await startService('worker', {
      MONGO_URL: h.db.url,
      REDIS_PREFIX: prefix,
      INSTANCE_ID: `${prefix}-w`,
    });
    await waitUntil('red card after restart', async () => (await raw(o.id))?.redCardAt, 30_000);
    const after = await get(o.id);
    expect(after.history.filter((e: any) => e.action.endsWith('_card')).map((e: any) => e.action)).toEqual([
      'yellow_card',
      'red_card',
    ]);
    const notes = await h.db.db
      .collection(COLLECTIONS.workOrderNotifications)
      .find({ workOrderId: o.id })
      .toArray();
    expect(notes.map((n) => n.kind).sort()).toEqual(['red_card', 'yellow_card']);
    const f = encodeURIComponent(JSON.stringify({ workOrderId: o.id }));
    const seen = await h.as(
      tok['a.dispatcher'],
      'GET',
      `/api/work-orders/notifications?filter=${f}`,
      undefined,
      200,
    );
    expect(seen.body.map((n: any) => n.kind)).toEqual(['red_card', 'yellow_card']);
    expect(
      (await h.as(tok['b.dispatcher'], 'GET', `/api/work-orders/notifications?filter=${f}`, undefined, 200))
        .body,
    ).toEqual([]);
  });

  it('delays the cards while the calendar is paused, and resumes them when the pause ends', async () => {
    await h.as(
      tok['b.operator_manager'],
      'PUT',
      `/api/calendars/${b.contractId}`,
      {
        start: '00:00',
        end: '24:00',
        workDays: [1, 2, 3, 4, 5, 6, 7],
        deadlines: { illegal_dumping: { dueMin: 0.1, redMin: 5 } },
      },
      200,
    );
    const o = await report(tok['b.field_worker'], IN_GRID_B, 'illegal_dumping');
    const typhoon = await h.as(
      tok['b.dispatcher'],
      'POST',
      `/api/calendars/${b.contractId}/pauses`,
      { reason: '台风红色预警' },
      201,
    );
    expect(typhoon.body.recomputedOrders).toBeGreaterThanOrEqual(1);
    const paused = await raw(o.id);
    expect(paused).toMatchObject({ dueAt: null, deadlineVersion: 2 });
    // past the original deadline: no card while paused
    await sleep(Math.max(0, Date.parse(o.dueAt) - Date.now() + 2000));
    expect((await raw(o.id))?.yellowCardAt ?? null).toBeNull();
    const pauseId = typhoon.body.pauses[0].id;
    const resumed = await h.as(
      tok['b.dispatcher'],
      'POST',
      `/api/calendars/${b.contractId}/pauses/${pauseId}/end`,
      {},
      200,
    );
    expect(resumed.body.pauses[0].to).toBeTruthy();
    const stored = await raw(o.id);
    expect(Date.parse(stored!.dueAt)).toBeGreaterThan(Date.parse(o.dueAt));
    await waitUntil('yellow card after the pause', async () => (await raw(o.id))?.yellowCardAt, 30_000);
    expect(
      (await h.as(tok['b.dispatcher'], 'POST', `/api/calendars/${b.contractId}/pauses/${pauseId}/end`, {}))
        .status,
    ).toBe(409);
  });

  it('opens one work order per chosen alarm, linked to it', async () => {
    const alarm = (id: string, type: string, rev = 1): AlarmChanged => ({
      tenantId: a.operatorId,
      contractId: a.contractId,
      zoneId: a.ids.zones,
      serviceLine: 'sanitation',
      day: '2026-03-02',
      alarmId: id,
      rev,
      type: type as AlarmChanged['type'],
      status: 'open',
      deviceId: 'badge-x',
      subjectKind: 'worker',
      subjectId: a.ids.workers,
      taskId: null,
      at: [113.2515, 23.1515],
      openedAt: new Date().toISOString(),
      closedAt: null,
      message: 'SOS button pressed',
      changedAt: new Date().toISOString(),
    });
    const id = uniqueName('al');
    await publishDomainEvent(events, DOMAIN_EVENTS.alarmChanged, id, alarm(id, 'sos'));
    await publishDomainEvent(events, DOMAIN_EVENTS.alarmChanged, id, alarm(id, 'sos', 2));
    const quiet = uniqueName('al');
    await publishDomainEvent(events, DOMAIN_EVENTS.alarmChanged, quiet, alarm(quiet, 'overspeed'));
    const o = await waitUntil('order from alarm', async () => {
      const r = await h.as(tok['a.dispatcher'], 'GET', `/api/work-orders/wo-alarm-${id}`);
      return r.status === 200 && r.body;
    });
    expect(o).toMatchObject({
      category: 'sos',
      source: 'alarm',
      alarmId: id,
      state: 'dispatched',
      teamId: a.ids.teams,
    });
    for (const [aid, rev] of [
      [id, 2],
      [quiet, 1],
    ] as const)
      await waitUntil(`alarm ${aid} rev ${rev} handled`, async () =>
        (await events.getJob(domainEventJobId(DOMAIN_EVENTS.alarmChanged, aid, rev)))?.isCompleted(),
      );
    expect(
      await h.db.db.collection(COLLECTIONS.workOrders).countDocuments({ alarmId: { $in: [id, quiet] } }),
    ).toBe(1);
    // staff alarms are not public civic reports
    expect((await fetch(`${h.api.url}/open311/v2/requests/${o.id}.json`)).status).toBe(404);
    // the order runs the same loop
    expect((await act(tok['a.field_worker'], o.id, 'accept')).body.state).toBe('accepted');
  });

  it('speaks Open311 GeoReport v2: services, definitions, requests in JSON and XML', async () => {
    const base = `${h.api.url}/open311/v2`;
    const services = await json(`${base}/services.json`);
    expect(services.find((s: any) => s.service_code === 'illegal_ad')).toMatchObject({
      service_name: '牛皮癣小广告 Illegal advertising',
      metadata: false,
      type: 'realtime',
    });
    const xml = await fetch(`${base}/services.xml`);
    expect(xml.headers.get('content-type')).toContain('text/xml');
    expect(await xml.text()).toContain('<service><service_code>litter</service_code>');
    expect(await json(`${base}/services/litter.json`)).toEqual({ service_code: 'litter', attributes: [] });
    expect((await fetch(`${base}/services/sos.json`)).status).toBe(404);

    const form = (f: Record<string, string>) =>
      fetch(`${base}/requests.json`, { method: 'POST', body: new URLSearchParams(f) });
    const denied = await form({ service_code: 'litter', lat: '23.152', long: '113.252' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual([{ code: 403, description: 'api_key is missing or not valid' }]);
    // keys are issued by the admin, shown once, and stop working when disabled
    expect((await h.as(tok['a.operator_manager'], 'POST', '/api/open311-keys', { name: 'x' })).status).toBe(
      403,
    );
    const issued = await h.as(
      await h.admin(),
      'POST',
      '/api/open311-keys',
      { name: 'civic app', operatorId: a.operatorId },
      201,
    );
    expect(issued.body.apiKey).toMatch(/^[\w-]{32}$/);
    const keys = await h.as(await h.admin(), 'GET', '/api/open311-keys', undefined, 200);
    expect(keys.body.find((k: any) => k.id === issued.body.id)).not.toHaveProperty('keyHash');
    const viaIssued = await form({
      api_key: issued.body.apiKey,
      service_code: 'litter',
      lat: '23.152',
      long: '113.252',
    });
    expect(viaIssued.status).toBe(200);
    await h.as(await h.admin(), 'POST', `/api/open311-keys/${issued.body.id}/disable`, {}, 200);
    expect(
      (await form({ api_key: issued.body.apiKey, service_code: 'litter', lat: '23.152', long: '113.252' }))
        .status,
    ).toBe(403);
    const badPoint = await form({
      api_key: OPEN311_KEY,
      service_code: 'litter',
      lat: '123',
      long: '113.252',
    });
    expect(badPoint.status).toBe(400);
    const created = await form({
      api_key: OPEN311_KEY,
      service_code: 'litter',
      lat: '23.1523',
      long: '113.2523',
      description: '12345 热线: 路边垃圾',
      address_string: '松洲街 1 号',
      email: 'citizen@example.cn',
    });
    expect(created.status).toBe(200);
    const [ack] = (await created.json()) as any;
    expect(ack).toMatchObject({ service_request_id: expect.any(String), token: expect.any(String) });

    const [one] = await json(`${base}/requests/${ack.service_request_id}.json`);
    for (const f of [
      'service_request_id',
      'status',
      'service_code',
      'service_name',
      'description',
      'requested_datetime',
      'updated_datetime',
      'lat',
      'long',
      'address',
      'agency_responsible',
      'status_notes',
    ])
      expect(one).toHaveProperty(f);
    expect(one).toMatchObject({
      status: 'open',
      service_code: 'litter',
      lat: 23.1523,
      long: 113.2523,
      address: '松洲街 1 号',
      agency_responsible: `Agency a`,
      status_notes: 'Assigned to the responsible team.',
    });
    expect(one).not.toHaveProperty('email');
    const [byToken] = await json(`${base}/tokens/${ack.token}.json`);
    expect(byToken).toEqual({ service_request_id: ack.service_request_id, token: ack.token });
    const listXml = await (
      await fetch(`${base}/requests.xml?service_request_id=${ack.service_request_id}`)
    ).text();
    expect(listXml).toContain(
      `<service_requests><request><service_request_id>${ack.service_request_id}</service_request_id><status>open</status>`,
    );

    // the same report, handled through the api, reads back closed through Open311
    const id = ack.service_request_id;
    expect((await get(id)).source).toBe('open311');
    await act(tok['a.field_worker'], id, 'accept');
    await act(tok['a.field_worker'], id, 'start');
    await multipart(tok['a.field_worker'], 'POST', `/api/work-orders/${id}/actions/resolve`, {}, [jpeg()]);
    await act(tok['a.dispatcher'], id, 'verify', { fixed: false, comment: 'needs a skip lorry' });
    const [after] = await json(`${base}/requests/${id}.json`);
    expect(after).toMatchObject({
      status: 'closed',
      status_notes: 'Verified and closed. The problem was not fixed.',
    });
    const closedList = await json(`${base}/requests.json?status=closed&service_code=litter`);
    expect(closedList.map((r: any) => r.service_request_id)).toContain(id);
    expect((await fetch(`${base}/requests.json?status=maybe`)).status).toBe(400);
  });
});
