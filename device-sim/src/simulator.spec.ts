import { decodeMessage, type TelemetryPoint } from '@dwg/contracts';
import {
  Simulator,
  type ConnectRequest,
  type Connector,
  type DeviceCredential,
  type SimClient,
} from './simulator';

const creds = (vehicles: number, badges: number): DeviceCredential[] => [
  ...Array.from({ length: vehicles }, (_, i) => ({
    deviceId: `veh-${i}`,
    kind: 'gps' as const,
    secret: `s-veh-${i}`,
  })),
  ...Array.from({ length: badges }, (_, i) => ({
    deviceId: `bdg-${i}`,
    kind: 'badge' as const,
    secret: `s-bdg-${i}`,
  })),
];

/**
 * A broker + ingest stand-in: checks credentials, acknowledges asynchronously, and stores what the platform's
 * validator accepts under the platform's unique key (device, seq, ts).
 */
class FakePlatform {
  readonly stored = new Map<string, TelemetryPoint>();
  readonly rejections: string[] = [];
  readonly statuses: string[] = [];
  readonly requests: ConnectRequest[] = [];
  attempts = new Map<string, number>();
  connecting = 0;
  maxConnecting = 0;
  refusePublish: (topic: string, payload: string) => boolean = () => false;
  failConnect: (deviceId: string, attempt: number) => Error | null = () => null;

  connector: Connector = async (req) => {
    this.requests.push(req);
    const attempt = (this.attempts.get(req.credential.deviceId) ?? 0) + 1;
    this.attempts.set(req.credential.deviceId, attempt);
    this.connecting++;
    this.maxConnecting = Math.max(this.maxConnecting, this.connecting);
    await new Promise((r) => setTimeout(r, 2));
    this.connecting--;
    const err = this.failConnect(req.credential.deviceId, attempt);
    if (err) throw err;
    if (req.credential.secret !== `s-${req.credential.deviceId}`)
      throw Object.assign(new Error('Connection refused: Bad User Name or Password'), { code: 0x86 });
    const client: SimClient = {
      publish: async (topic, payload) => {
        await new Promise((r) => setImmediate(r));
        if (!topic.startsWith(`dwg/v1/${req.credential.deviceId}/`)) throw new Error('not authorised');
        if (this.refusePublish(topic, payload)) throw new Error('Publish error: Quota exceeded');
        const d = decodeMessage(topic, Buffer.from(payload), { receivedAt: new Date(), lateAfterMs: 60_000 });
        if (d.status) this.statuses.push(`${d.deviceId}:${d.status}`);
        for (const p of d.points) {
          const key = `${p.deviceId}:${p.seq}:${p.ts.getTime()}`;
          if (!this.stored.has(key)) this.stored.set(key, p);
        }
        this.rejections.push(...d.rejections.map((r) => r.reason));
      },
      end: async () => undefined,
    };
    return client;
  };
}

describe('Simulator (against a fake broker)', () => {
  it('connects every device with its own credentials and will, a limited number at a time', async () => {
    const fake = new FakePlatform();
    const sim = new Simulator({
      mqttUrl: 'mqtt://fake',
      credentials: creds(12, 8),
      recordsPerDevice: 3,
      connectConcurrency: 4,
      connector: fake.connector,
    });
    const summary = await sim.run();
    expect(summary.devices).toMatchObject({ gps: 12, badge: 8, connected: 20, failed: 0 });
    expect(fake.maxConnecting).toBe(4);
    for (const r of fake.requests)
      expect(r.will).toEqual({ topic: `dwg/v1/${r.credential.deviceId}/status`, payload: 'offline' });
    // online on connect, offline before a clean disconnect (which discards the will)
    expect(fake.statuses.filter((s) => s.endsWith(':online'))).toHaveLength(20);
    expect(fake.statuses.filter((s) => s.endsWith(':offline'))).toHaveLength(20);
    expect(summary.sent).toEqual({ gps: 36, badge: 24, status: 40 });
    expect(summary.acknowledged).toEqual(summary.sent);
  });

  it('reports as expectedStored exactly what the platform stores, with faults', async () => {
    const fake = new FakePlatform();
    const progress: number[] = [];
    const sim = new Simulator({
      mqttUrl: 'mqtt://fake',
      credentials: creds(40, 40),
      recordsPerDevice: 150,
      seed: 5,
      faults: { duplicate: 0.05, outOfOrder: 0.05, offline: 0.01, malformed: 0.03, clockSkew: 0.02 },
      connector: fake.connector,
      progressIntervalMs: 50,
    });
    sim.on('progress', (p) => progress.push(p.acknowledged.gps));
    const summary = await sim.run();
    expect(summary.failedPublishes).toBe(0);
    expect(summary.acknowledged).toEqual(summary.sent);
    expect(summary.records.duplicatesInjected).toBeGreaterThan(0);
    expect(summary.records.offlineBatches).toBeGreaterThan(0);
    expect(summary.expectedStored).toBe(fake.stored.size);
    expect(summary.expectedStored).toBe(summary.records.valid - summary.records.duplicatesInjected);
    expect(summary.expectedRejected).toBe(fake.rejections.length);
    expect(summary.expectedRejected).toBe(summary.records.malformed + summary.records.skewed);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(summary.acknowledged.gps);
    // Compressed time: every stored ts is in the past and spaced by the interval.
    const now = Date.now();
    const veh0 = [...fake.stored.values()]
      .filter((p) => p.deviceId === 'veh-0')
      .map((p) => p.ts.getTime())
      .sort((a, b) => a - b);
    expect(veh0[veh0.length - 1]).toBeLessThanOrEqual(now);
    for (let i = 1; i < veh0.length; i++) expect((veh0[i] - veh0[0]) % 5000).toBe(0);
  });

  it('counts refused publishes as failed and leaves them out of expectedStored', async () => {
    const fake = new FakePlatform();
    let n = 0;
    fake.refusePublish = (topic) => topic.endsWith('/gps') && ++n % 7 === 0;
    const warnings: string[] = [];
    const sim = new Simulator({
      mqttUrl: 'mqtt://fake',
      credentials: creds(5, 0),
      recordsPerDevice: 20,
      connector: fake.connector,
    });
    sim.on('warning', (w) => warnings.push(w));
    const summary = await sim.run();
    expect(summary.failedPublishes).toBe(Math.floor(100 / 7));
    expect(summary.acknowledged.gps).toBe(100 - Math.floor(100 / 7));
    expect(summary.expectedStored).toBe(fake.stored.size);
    expect(warnings[0]).toMatch(/publish to dwg\/v1\/veh-\d\/gps failed: Publish error: Quota exceeded/);
  });

  it('does not retry refused credentials, retries network failures, and runs the devices that connected', async () => {
    const fake = new FakePlatform();
    fake.failConnect = (id, attempt) =>
      id === 'veh-1' && attempt < 3
        ? Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' })
        : null;
    const list = creds(3, 1);
    list[0] = { ...list[0], secret: 'wrong' };
    const sim = new Simulator({
      mqttUrl: 'mqtt://fake',
      credentials: list,
      recordsPerDevice: 2,
      connector: fake.connector,
      connectRetries: 2,
    });
    const summary = await sim.run();
    expect(fake.attempts.get('veh-0')).toBe(1);
    expect(fake.attempts.get('veh-1')).toBe(3);
    expect(summary.devices).toMatchObject({
      connected: 3,
      failed: 1,
      failures: [{ deviceId: 'veh-0', error: 'Connection refused: Bad User Name or Password' }],
    });
    expect(summary.expectedStored).toBe(6);
    expect(fake.stored.size).toBe(6);
  });

  it('runs in real time on the injected clock and interval, and stops cleanly, badges clocking out', async () => {
    const fake = new FakePlatform();
    const HOUR = 3600_000;
    const started = Date.now();
    const sim = new Simulator({
      clock: () => Date.now() - HOUR, // e.g. replaying a shift an hour late
      mqttUrl: 'mqtt://fake',
      credentials: creds(3, 3),
      gpsIntervalMs: 20,
      badgeIntervalMs: 50,
      realTime: true,
      faults: { offline: 0.2, outOfOrder: 0.2 },
      connector: fake.connector,
    });
    const run = sim.run();
    await new Promise((r) => setTimeout(r, 400));
    const summary = await sim.stop();
    expect(await run).toBe(summary);
    expect(summary!.stoppedEarly).toBe(true);
    expect(summary!.expectedStored).toBe(fake.stored.size);
    const gps = [...fake.stored.values()].filter((p) => p.deviceId === 'veh-0');
    expect(gps.length).toBeGreaterThan(3); // ~20 in 400 ms, fewer on a loaded machine
    expect(gps.length).toBeLessThan(30);
    for (const p of fake.stored.values()) {
      expect(p.ts.getTime()).toBeGreaterThanOrEqual(started - HOUR);
      expect(p.ts.getTime()).toBeLessThanOrEqual(Date.now() - HOUR + 50);
    }
    for (let i = 0; i < 3; i++) {
      const evts = [...fake.stored.values()]
        .filter((p) => p.deviceId === `bdg-${i}`)
        .sort((a, b) => a.ts.getTime() - b.ts.getTime())
        .map((p) => p.evt);
      expect(evts[0]).toBe('in');
      expect(evts[evts.length - 1]).toBe('out');
    }
  });

  it('refuses a compressed run without an end and a credentials list with repeats', () => {
    expect(() => new Simulator({ mqttUrl: 'x', credentials: creds(1, 0) })).toThrow(
      /needs durationMs or recordsPerDevice/,
    );
    expect(
      () =>
        new Simulator({ mqttUrl: 'x', credentials: [...creds(1, 0), ...creds(1, 0)], recordsPerDevice: 1 }),
    ).toThrow(/twice/);
  });
});
