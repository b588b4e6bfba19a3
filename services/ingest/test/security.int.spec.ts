import type { DeviceRegistry } from '@dwg/device-registry';
import { provisionDevices } from '@dwg/testing';
import { IngestHarness, connectDevice, gps, publish } from './harness';

/** The broker accepts only registered, enabled devices with their own secret, publishing under their own id. */
describe('ingest: broker security from the device registry', () => {
  const h = new IngestHarness();
  let registry: DeviceRegistry;
  let secrets: Record<string, string>;

  beforeAll(async () => {
    await h.setup('security');
    const res = await provisionDevices(h.db.db, [
      { deviceId: 'veh-s-001', kind: 'gps' },
      { deviceId: 'veh-s-002', kind: 'gps' },
      { deviceId: 'bdg-s-001', kind: 'badge' },
    ]);
    registry = res.registry;
    secrets = Object.fromEntries(res.credentials.map((c) => [c.deviceId, c.secret]));
    await h.startIngest('a');
  });

  afterAll(() => h.teardown());

  it('stores only the hash of a device secret', async () => {
    const doc = await registry.get('veh-s-001');
    expect(JSON.stringify(doc)).not.toContain(secrets['veh-s-001']);
    expect(doc?.secretHash).toMatch(/^[0-9a-f]{128}$/);
  });

  it('refuses a wrong secret', async () => {
    await expect(connectDevice('veh-s-001', 'not-the-secret')).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
  });

  it('refuses an unregistered device', async () => {
    await expect(connectDevice('veh-s-999', secrets['veh-s-001'])).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
  });

  it("refuses a publish under another device's id and stores nothing of it", async () => {
    const c = await connectDevice('veh-s-001', secrets['veh-s-001']);
    try {
      await expect(publish(c, 'dwg/v1/veh-s-002/gps', gps(1, Date.now()))).rejects.toThrow(/Not authorized/i);
      await publish(c, 'dwg/v1/veh-s-001/gps', gps(2, Date.now()));
      await h.waitForCount(1, { deviceId: 'veh-s-001', seq: 2 });
      expect(await h.count({ deviceId: 'veh-s-002' })).toBe(0);
    } finally {
      await c.endAsync();
    }
  });

  it("refuses a badge publishing on a vehicle's channel", async () => {
    const c = await connectDevice('bdg-s-001', secrets['bdg-s-001']);
    try {
      await expect(publish(c, 'dwg/v1/bdg-s-001/gps', gps(1, Date.now()))).rejects.toThrow(/Not authorized/i);
    } finally {
      await c.endAsync();
    }
  });

  it('refuses a disabled device at once, without restarting anything', async () => {
    const c = await connectDevice('veh-s-002', secrets['veh-s-002']);
    await publish(c, 'dwg/v1/veh-s-002/gps', gps(1, Date.now()));
    await h.waitForCount(1, { deviceId: 'veh-s-002' });
    const closed = new Promise<string>((r) => c.once('close', () => r('disconnected')));
    await registry.setEnabled('veh-s-002', false);
    // Mosquitto re-checks connected clients when it reloads: the open connection is dropped (or, failing that,
    // loses its publish rights), and a new one is refused.
    const outcome = await Promise.race([
      closed,
      new Promise((r) => setTimeout(r, 1000)).then(() =>
        publish(c, 'dwg/v1/veh-s-002/gps', gps(2, Date.now())).then(
          () => 'published',
          () => 'refused',
        ),
      ),
    ]);
    expect(['disconnected', 'refused']).toContain(outcome);
    c.end(true);
    await expect(connectDevice('veh-s-002', secrets['veh-s-002'])).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
    expect(await h.count({ deviceId: 'veh-s-002' })).toBe(1);
    // Enabled again, it is back.
    await registry.setEnabled('veh-s-002', true);
    await new Promise((r) => setTimeout(r, 500));
    const again = await connectDevice('veh-s-002', secrets['veh-s-002']);
    await publish(again, 'dwg/v1/veh-s-002/gps', gps(3, Date.now()));
    await h.waitForCount(2, { deviceId: 'veh-s-002' });
    await again.endAsync();
  });
});
