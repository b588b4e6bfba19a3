import type { MqttClient } from 'mqtt';
import { sharedSubscription } from '@dwg/contracts';
import { profile, serviceAccounts } from '@dwg/local-stack';
import {
  createTestDb,
  forgetSessions,
  provisionDevices,
  testUrls,
  uniqueName,
  waitUntil,
  type TestDb,
} from '@dwg/testing';
import { IngressConnection } from '../src/mqtt/ingress-connection';
import { connectDevice, gps, publish } from './harness';

/** One ingest connection against the real broker: several messages in flight, acknowledged only when durable. */
describe('ingest: IngressConnection (MQTT 5 on mqtt-packet)', () => {
  let db: TestDb;
  let device: MqttClient;
  const clientIds: string[] = [];
  const [sa] = serviceAccounts(profile('test'));
  const warnings: string[] = [];
  const log = {
    log: () => undefined,
    warn: (m: string) => warnings.push(m),
    error: (m: string) => warnings.push(m),
  };
  const connection = (
    onMessage: (topic: string, payload: Buffer, signal: AbortSignal) => Promise<void>,
    over: { clientId?: string; password?: string; group?: string; receiveMaximum?: number } = {},
  ) => {
    const clientId = over.clientId ?? uniqueName('ingress');
    clientIds.push(clientId);
    return new IngressConnection(
      {
        url: testUrls().MQTT_URL,
        clientId,
        username: sa.username,
        password: over.password ?? sa.password,
        // Each test its own group: an offline member's session still gets its share of the group's messages.
        filter: sharedSubscription(over.group ?? uniqueName('grp')),
        sessionExpiryS: 600,
        receiveMaximum: over.receiveMaximum ?? 50,
        reconnectMs: 200,
      },
      onMessage,
      log,
    );
  };
  const seqOf = (payload: Buffer) => (JSON.parse(payload.toString()) as { seq: number }).seq;
  /** A started connection whose appends wait for `open()`, and the device's records first..last published to it. */
  const heldConnection = async (
    over: { clientId?: string; group?: string; receiveMaximum?: number },
    first: number,
    last: number,
  ) => {
    const seen: number[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const c = connection(async (_t, p) => {
      seen.push(seqOf(p));
      await gate;
    }, over);
    await c.start();
    for (let seq = first; seq <= last; seq++)
      await publish(device, 'dwg/v1/veh-ic-001/gps', gps(seq, Date.now()));
    return { c, seen, open };
  };

  beforeAll(async () => {
    db = await createTestDb('ingress');
    const { credentials } = await provisionDevices(db.db, [{ deviceId: 'veh-ic-001', kind: 'gps' }]);
    device = await connectDevice('veh-ic-001', credentials[0].secret);
  });

  afterAll(async () => {
    await device?.endAsync();
    await forgetSessions(clientIds);
    await db.drop();
  });

  it('holds many unacknowledged messages at once and acknowledges each once its append resolves', async () => {
    const clientId = uniqueName('ingress');
    const group = uniqueName('grp');
    const { c, seen, open } = await heldConnection({ clientId, group }, 1, 20);
    // All 20 reach the handler while none is acknowledged: one connection holds them all.
    await waitUntil('20 messages in flight on one connection', async () => seen.length === 20, 10_000);
    open();
    await new Promise((r) => setTimeout(r, 300));
    await c.stop();

    // The same session comes back: everything was acknowledged, so the broker has nothing to redeliver.
    const again: number[] = [];
    const c2 = connection(async (_t, p) => void again.push(seqOf(p)), { clientId, group });
    await c2.start();
    await publish(device, 'dwg/v1/veh-ic-001/gps', gps(21, Date.now()));
    await waitUntil('the next message', async () => again.includes(21), 10_000);
    await c2.stop();
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(again).toEqual([21]);
  });

  it('does not acknowledge a message whose append fails: it reconnects and the broker redelivers it', async () => {
    const deliveries: number[] = [];
    const c = connection(async (_t, p) => {
      const seq = seqOf(p);
      deliveries.push(seq);
      if (deliveries.filter((s) => s === seq).length === 1) throw new Error('journal down');
    });
    await c.start();
    await publish(device, 'dwg/v1/veh-ic-001/gps', gps(100, Date.now()));
    await waitUntil('the redelivery', async () => deliveries.length >= 2, 10_000);
    await c.stop();
    expect(deliveries.slice(0, 2)).toEqual([100, 100]);
    expect(warnings.some((w) => /journal append failed.*reconnecting/.test(w))).toBe(true);
  });

  it('takes no more unacknowledged messages than its Receive Maximum', async () => {
    const group = uniqueName('grp');
    const { c, seen, open } = await heldConnection({ group, receiveMaximum: 5 }, 201, 220);
    await waitUntil('5 messages in flight', async () => seen.length >= 5, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(5); // the broker holds the other 15 until some are acknowledged
    open();
    await waitUntil('all 20 messages', async () => seen.length === 20, 10_000);
    await c.stop();
  });

  it('acknowledges nothing that was not durable when its connection ended: the broker redelivers all of it', async () => {
    const clientId = uniqueName('ingress');
    const group = uniqueName('grp');
    const { c, seen, open } = await heldConnection({ clientId, group }, 301, 320);
    await waitUntil('20 messages in flight', async () => seen.length === 20, 10_000);
    await c.stop(); // the appends are still pending
    open(); // they complete after their connection is gone: their acknowledgements must not be sent
    await new Promise((r) => setTimeout(r, 300));

    const again: number[] = [];
    const c2 = connection(async (_t, p) => void again.push(seqOf(p)), { clientId, group });
    await c2.start();
    await waitUntil('the 20 redelivered', async () => again.length >= 20, 10_000);
    await c2.stop();
    expect(again.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 301 + i));
  });

  it('refuses to start with a clear message when the broker rejects its credentials', async () => {
    const c = connection(async () => undefined, { password: 'not-the-password' });
    await expect(c.start()).rejects.toThrow(
      /the broker refused ingest's connection .*CONNACK reason code 13[45] \((bad user name or password|not authorized)\)/,
    );
  });
});
