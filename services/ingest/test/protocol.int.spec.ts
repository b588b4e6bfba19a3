import type { Binary } from 'mongodb';
import type { MqttClient } from 'mqtt';
import { COLLECTIONS } from '@dwg/persistence';
import { provisionDevices, waitUntil } from '@dwg/testing';
import { IngestHarness, badge, connectDevice, gps, publish } from './harness';

/** Device protocol v1 through the real broker, ingest process and database. */
describe('ingest: device protocol v1 end to end', () => {
  const h = new IngestHarness();
  let veh: MqttClient;
  let bdg: MqttClient;
  const now = Date.now();

  beforeAll(async () => {
    await h.setup('protocol');
    const { credentials } = await provisionDevices(h.db.db, [
      { deviceId: 'veh-p-001', kind: 'gps' },
      { deviceId: 'bdg-p-001', kind: 'badge' },
    ]);
    await h.startIngest('a');
    veh = await connectDevice('veh-p-001', credentials[0].secret, {
      will: { topic: 'dwg/v1/veh-p-001/status', payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    bdg = await connectDevice('bdg-p-001', credentials[1].secret);
  });

  afterAll(async () => {
    await bdg?.endAsync();
    await veh?.endAsync().catch(() => undefined);
    await h.teardown();
  });

  it('stores a valid GPS record with its fields and GeoJSON location', async () => {
    await publish(
      veh,
      'dwg/v1/veh-p-001/gps',
      gps(1, now - 1000, { lat: 23.1601, lng: 113.2702, spd: 8.5, hdg: 45, acc: 4 }),
    );
    await h.waitForCount(1, { deviceId: 'veh-p-001', seq: 1 });
    const doc = await h.db.db.collection(COLLECTIONS.telemetry).findOne({ deviceId: 'veh-p-001', seq: 1 });
    expect(doc).toMatchObject({
      kind: 'gps',
      loc: { type: 'Point', coordinates: [113.2702, 23.1601] },
      spd: 8.5,
      hdg: 45,
      acc: 4,
      ign: true,
      ops: { sweep: true },
      late: false,
    });
    expect((doc!.ts as Date).getTime()).toBe(now - 1000);
  });

  it('keeps the valid records of a message and dead-letters the bad ones with reason and raw payload', async () => {
    const body = [gps(10, now), gps(11, now, { lat: 95 }), gps(12, now, { spd: 'fast' }), gps(13, now)];
    const raw = JSON.stringify(body);
    await publish(veh, 'dwg/v1/veh-p-001/gps', raw);
    await h.waitForCount(2, { deviceId: 'veh-p-001', seq: { $in: [10, 11, 12, 13] } });
    const dead = await waitUntil('two dead letters', async () => {
      const d = await h.db.db
        .collection(COLLECTIONS.deadLetters)
        .find({ deviceId: 'veh-p-001', index: { $in: [1, 2] } })
        .sort({ index: 1 })
        .toArray();
      return d.length === 2 ? d : null;
    });
    expect(dead.map((d) => d.reason)).toEqual([
      'lat must be a number from -90 to 90',
      'spd must be a number from 0 to 300 (km/h)',
    ]);
    expect(Buffer.from((dead[0].payload as Binary).buffer).toString()).toBe(raw);
    expect(JSON.parse(dead[0].record as string)).toEqual(body[1]);
    expect(await h.count({ deviceId: 'veh-p-001', seq: { $in: [11, 12] } })).toBe(0);
  });

  it('dead-letters a message that is not JSON, with the whole payload, and keeps running', async () => {
    await publish(veh, 'dwg/v1/veh-p-001/gps', '{"seq": 1, "ts": oops');
    const dl = await waitUntil('dead letter', () =>
      h.db.db.collection(COLLECTIONS.deadLetters).findOne({ index: null, deviceId: 'veh-p-001' }),
    );
    expect(dl.reason).toMatch(/^payload is not valid JSON/);
    expect(Buffer.from((dl.payload as Binary).buffer).toString()).toBe('{"seq": 1, "ts": oops');
    await publish(veh, 'dwg/v1/veh-p-001/gps', gps(20, now));
    await h.waitForCount(1, { deviceId: 'veh-p-001', seq: 20 });
  });

  it('rejects a ts more than 5 minutes ahead and accepts one 4 minutes ahead', async () => {
    await publish(veh, 'dwg/v1/veh-p-001/gps', [
      gps(30, Date.now() + 4 * 60_000),
      gps(31, Date.now() + 10 * 60_000),
    ]);
    await h.waitForCount(1, { deviceId: 'veh-p-001', seq: 30 });
    const dl = await waitUntil('skew dead letter', () =>
      h.db.db
        .collection(COLLECTIONS.deadLetters)
        .findOne({ deviceId: 'veh-p-001', index: 1, reason: /in the future/ }),
    );
    expect(dl.reason).toMatch(/^ts is \d+ s in the future \(limit 300 s\)$/);
    expect(await h.count({ deviceId: 'veh-p-001', seq: 31 })).toBe(0);
  });

  it('stores a duplicated or redelivered record once', async () => {
    const rec = gps(40, now - 500);
    await publish(veh, 'dwg/v1/veh-p-001/gps', rec);
    await publish(veh, 'dwg/v1/veh-p-001/gps', rec);
    await publish(veh, 'dwg/v1/veh-p-001/gps', [rec, rec, gps(41, now - 400)]);
    await h.waitForCount(2, { deviceId: 'veh-p-001', seq: { $in: [40, 41] } });
    await publish(veh, 'dwg/v1/veh-p-001/gps', gps(42, now)); // a later marker: everything before it is processed
    await h.waitForCount(1, { deviceId: 'veh-p-001', seq: 42 });
    expect(await h.count({ deviceId: 'veh-p-001', seq: 40 })).toBe(1);
  });

  it('accepts late records from an offline spell, marks them late, and keeps the newest position', async () => {
    const newest = Date.now() + 270_000; // newer than every record of the earlier tests
    await publish(veh, 'dwg/v1/veh-p-001/gps', gps(50, newest, { lat: 23.2 }));
    await h.waitForCount(1, { deviceId: 'veh-p-001', seq: 50 });
    const stored = Array.from({ length: 30 }, (_, i) =>
      gps(100 + i, now - 3_600_000 + i * 5000, { lat: 23.1 }),
    );
    await publish(veh, 'dwg/v1/veh-p-001/gps', stored);
    await h.waitForCount(30, { deviceId: 'veh-p-001', seq: { $gte: 100, $lt: 130 }, late: true });
    // The last state is flushed about once a second; the late upload must not move it back.
    const state = await waitUntil('state of the newest fix', () =>
      h.db.db
        .collection(COLLECTIONS.deviceState)
        .findOne({ _id: 'veh-p-001' as never, 'last.ts': new Date(newest) }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const after = await h.db.db.collection(COLLECTIONS.deviceState).findOne({ _id: 'veh-p-001' as never });
    expect(after?.last.loc.coordinates[1]).toBe(23.2);
    expect(after?.last.ts).toEqual(state.last.ts);
  });

  it('stores badge records with battery and events, and the last state', async () => {
    await publish(bdg, 'dwg/v1/bdg-p-001/badge', [
      badge(1, now - 2000, { evt: 'in' }),
      badge(2, now - 1000),
      badge(3, now, { evt: 'sos', bat: 15 }),
    ]);
    await h.waitForCount(3, { deviceId: 'bdg-p-001' });
    const evts = await h.db.db
      .collection(COLLECTIONS.telemetry)
      .find({ deviceId: 'bdg-p-001' })
      .sort({ seq: 1 })
      .toArray();
    expect(evts.map((e) => e.evt)).toEqual(['in', 'hb', 'sos']);
    const state = await waitUntil('badge state', () =>
      h.db.db.collection(COLLECTIONS.deviceState).findOne({ _id: 'bdg-p-001' as never, 'last.bat': 15 }),
    );
    expect(state.last).toMatchObject({ kind: 'badge', evt: 'sos', bat: 15, seq: 3 });
  });

  it('tracks online from the status topic and offline from the will message', async () => {
    await publish(veh, 'dwg/v1/veh-p-001/status', 'online');
    await waitUntil('online', () =>
      h.db.db
        .collection(COLLECTIONS.deviceState)
        .findOne({ _id: 'veh-p-001' as never, 'status.online': true }),
    );
    veh.stream.destroy(); // an unclean disconnect makes the broker publish the will
    await waitUntil('offline', () =>
      h.db.db
        .collection(COLLECTIONS.deviceState)
        .findOne({ _id: 'veh-p-001' as never, 'status.online': false }),
    );
  });

  it('publishes one batch event per stored batch, not one per record', async () => {
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const { QUEUES } = await import('@dwg/contracts');
    const { testUrls } = await import('@dwg/testing');
    const queue = new Queue(QUEUES.telemetry, {
      connection: new Redis(testUrls().REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: `${h.prefix}:bull`,
    });
    try {
      const jobs = await queue.getJobs(['waiting', 'delayed', 'completed', 'active', 'failed']);
      const inserted = jobs.reduce((n, j) => n + (j.data.inserted as number), 0);
      expect(jobs.length).toBeGreaterThan(0);
      expect(inserted).toBe(await h.count());
      expect(jobs.length).toBeLessThan(inserted);
    } finally {
      await queue.close();
    }
  });
});
