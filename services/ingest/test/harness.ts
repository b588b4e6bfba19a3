import mqtt, { type MqttClient } from 'mqtt';
import { COLLECTIONS } from '@dwg/persistence';
import {
  createTestDb,
  forgetSessions,
  startService,
  testUrls,
  uniqueName,
  waitUntil,
  type RunningService,
  type TestDb,
} from '@dwg/testing';

/** One test file's ingest world: its own database, Redis prefix, share group and instances. */
export class IngestHarness {
  db!: TestDb;
  readonly prefix = uniqueName('t');
  readonly group = uniqueName('grp');
  readonly instances: RunningService[] = [];
  private clientIds: string[] = [];

  async setup(name: string) {
    this.db = await createTestDb(name);
  }

  async startIngest(instanceId: string, env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
    const connections = Number(env.INGEST_MQTT_CONNECTIONS ?? 16); // the service's default
    const id = `${this.prefix}-${instanceId}`;
    for (let i = 0; i < connections; i++) this.clientIds.push(`${id}-${i}`);
    const svc = await startService('ingest', {
      MONGO_URL: this.db.url,
      REDIS_PREFIX: this.prefix,
      INGEST_SHARE_GROUP: this.group,
      INSTANCE_ID: id,
      INGEST_CLAIM_IDLE_MS: '5000',
      ...env,
    });
    this.instances.push(svc);
    return svc;
  }

  async teardown() {
    for (const s of this.instances) await s.stop();
    await forgetSessions([...new Set(this.clientIds)]);
    await this.db.drop();
  }

  count(filter: object = {}) {
    return this.db.db.collection(COLLECTIONS.telemetry).countDocuments(filter);
  }

  async waitForCount(n: number, filter: object = {}, timeoutMs = 30_000) {
    return waitUntil(`${n} stored records`, async () => (await this.count(filter)) >= n, timeoutMs);
  }
}

export async function connectDevice(
  deviceId: string,
  secret: string,
  opts: mqtt.IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(testUrls().MQTT_URL, {
    username: deviceId,
    password: secret,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...opts,
  });
}

export async function publish(client: MqttClient, topic: string, payload: unknown): Promise<void> {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  await client.publishAsync(topic, body, { qos: 1 });
}

export const gps = (seq: number, ts: number, over: Record<string, unknown> = {}) => ({
  seq,
  ts,
  lat: 23.16 + seq * 1e-5,
  lng: 113.27,
  spd: 10,
  hdg: 90,
  ign: true,
  ops: { sweep: true },
  ...over,
});

export const badge = (seq: number, ts: number, over: Record<string, unknown> = {}) => ({
  seq,
  ts,
  lat: 23.161,
  lng: 113.271,
  bat: 77,
  ...over,
});
