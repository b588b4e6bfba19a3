import { EventEmitter, setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { topicFor, type DeviceKind } from '@dwg/contracts';
import { createFleet, intervalFor, recordsFor, type FleetDevice, type FleetOptions } from './fleet';
import { DistinctTracker, addCounts, emptyCounts, type OutgoingMessage, type RecordCounts } from './faults';
import type { World } from './world';

export interface DeviceCredential {
  deviceId: string;
  kind: DeviceKind;
  secret: string;
}

/** The little a simulated device needs from an MQTT client; injectable so the accounting can be tested without a broker. */
export interface SimClient {
  /** Publishes at QoS 1 and resolves on the broker's acknowledgement (PUBACK), rejects on a refusal. */
  publish(topic: string, payload: string): Promise<void>;
  /** Disconnects once pending acknowledgements are in (or are given up). */
  end(): Promise<void>;
}

export interface ConnectRequest {
  url: string;
  credential: DeviceCredential;
  will: { topic: string; payload: string };
  timeoutMs: number;
  /** Connection events after the first connect: a device re-announces itself when it reconnects. */
  onEvent(event: 'reconnected' | 'disconnected' | 'error', detail?: string): void;
}

export type Connector = (req: ConnectRequest) => Promise<SimClient>;

export interface SimulatorOptions extends Omit<FleetOptions, 'devices'> {
  mqttUrl: string;
  credentials: DeviceCredential[];
  /** Connections opened at once; the rest wait their turn (brokers throttle connection storms). */
  connectConcurrency?: number;
  connectTimeoutMs?: number;
  /** Retries of a connect that failed for a network reason (never for refused credentials). */
  connectRetries?: number;
  /**
   * Publishes in flight across all devices. Bounds memory, and keeps fewer sockets busy at once than libuv handles
   * per poll round (1024), so that timers (progress, keepalive, ack timeouts) are not starved for seconds.
   */
  maxInflight?: number;
  /** A publish not acknowledged within this counts as failed. */
  ackTimeoutMs?: number;
  progressIntervalMs?: number;
  connector?: Connector;
}

export interface KindCounts {
  gps: number;
  badge: number;
  status: number;
}

export interface SimulationProgress {
  phase: 'connecting' | 'running' | 'ending' | 'done';
  elapsedMs: number;
  devices: { total: number; connected: number; failed: number };
  /** MQTT publishes per channel. */
  sent: KindCounts;
  acknowledged: KindCounts;
  recordsAcknowledged: number;
  /** Over the last progress interval. */
  rate: { messagesPerSec: number; recordsPerSec: number };
}

export interface SimulationSummary {
  devices: {
    gps: number;
    badge: number;
    connected: number;
    failed: number;
    failures: { deviceId: string; error: string }[];
  };
  sent: KindCounts;
  acknowledged: KindCounts;
  failedPublishes: number;
  /** What was published, counted per record (see RecordCounts). */
  records: RecordCounts;
  /** Distinct valid (deviceId, seq, ts) among acknowledged messages: exactly what the platform should store. */
  expectedStored: number;
  /** Malformed and skewed records among acknowledged messages: one dead letter each. */
  expectedRejected: number;
  elapsedMs: number;
  recordsPerSec: number;
  stoppedEarly: boolean;
}

export interface SimulatorEvents {
  progress: [SimulationProgress];
  connected: [string];
  'connect-failed': [{ deviceId: string; error: string }];
  warning: [string];
}

const STATUS_ONLINE = 'online';
const STATUS_OFFLINE = 'offline';
/** Mosquitto's default receive maximum is 20: never have more than this in flight per device. */
const MAX_INFLIGHT_PER_DEVICE = 10;
const AUTH_REFUSED = new Set([0x04, 0x05, 0x86, 0x87, 0x8c]); // v3 and v5 codes for bad credentials / not authorised

interface Live {
  dev: FleetDevice;
  client: SimClient;
}

/**
 * Drives simulated devices against a broker: each connects with its own credentials, announces itself on its status
 * topic, publishes its records (with the configured faults), and disconnects after its acknowledgements are in.
 */
export class Simulator extends EventEmitter<SimulatorEvents> {
  readonly options: Readonly<SimulatorOptions>;
  private readonly clock: () => number;
  private readonly abort = new AbortController();
  private runPromise: Promise<SimulationSummary> | null = null;
  private stopping = false;
  private phase: SimulationProgress['phase'] = 'connecting';
  private startedAt = 0;
  private world: World | null = null;
  private readonly sent: KindCounts = { gps: 0, badge: 0, status: 0 };
  private readonly acked: KindCounts = { gps: 0, badge: 0, status: 0 };
  private readonly records = emptyCounts();
  private readonly distinct = new DistinctTracker();
  private recordsAcked = 0;
  private rejectedAcked = 0;
  private failedPublishes = 0;
  private connected = 0;
  private readonly failures: { deviceId: string; error: string }[] = [];
  private readonly window: Semaphore;

  constructor(options: SimulatorOptions) {
    super();
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.window = new Semaphore(options.maxInflight ?? 500);
    setMaxListeners(0, this.abort.signal); // every sleeping device listens for stop(): thousands is expected
    const ids = new Set<string>();
    for (const c of options.credentials) {
      if (ids.has(c.deviceId)) throw new Error(`credentials list ${c.deviceId} twice`);
      ids.add(c.deviceId);
    }
    if (!options.realTime && options.durationMs === undefined && options.recordsPerDevice === undefined)
      throw new Error('a compressed (non real-time) run needs durationMs or recordsPerDevice');
    // Fail before opening thousands of connections, not after.
    for (const kind of ['gps', 'badge'] as const) recordsFor(intervalFor(kind, options), options);
  }

  /** The world the devices move in (available once run() has started). */
  get currentWorld(): World | null {
    return this.world;
  }

  /** Runs to the end (or until stop()) and resolves with the summary. */
  run(): Promise<SimulationSummary> {
    if (!this.runPromise) this.runPromise = this.execute();
    return this.runPromise;
  }

  /** Stops generating, publishes what devices still hold, waits for acknowledgements, disconnects all. */
  async stop(): Promise<SimulationSummary | null> {
    this.stopping = true;
    this.abort.abort();
    return this.runPromise;
  }

  private async execute(): Promise<SimulationSummary> {
    const o = this.options;
    this.startedAt = performance.now();
    const timer = setInterval(() => this.emitProgress(), o.progressIntervalMs ?? 1000);
    try {
      const live = await this.connectAll();
      this.phase = 'running';
      // The timeline starts once everyone is connected, so no device has to catch up on a backlog.
      const { world, devices } = createFleet(
        { ...o, clock: this.clock, devices: live.map((l) => l.cred) },
        this.clock(),
      );
      this.world = world;
      const lives: Live[] = devices.map((dev, i) => ({ dev, client: live[i].client }));
      await Promise.all(lives.map((l) => this.driveDevice(l)));
      this.phase = 'ending';
      await this.pool(lives, 100, async (l) => {
        // A clean disconnect discards the will, so a device going off duty says so itself.
        await this.publishStatus(l.client, l.dev.spec.deviceId, STATUS_OFFLINE);
        await this.endClient(l.client);
      });
    } finally {
      this.phase = 'done';
      clearInterval(timer);
      this.emitProgress();
    }
    return this.summary();
  }

  private async connectAll(): Promise<{ cred: DeviceCredential; client: SimClient }[]> {
    const o = this.options;
    const connector = o.connector ?? mqttConnector;
    const live: ({ cred: DeviceCredential; client: SimClient } | null)[] = new Array(
      o.credentials.length,
    ).fill(null);
    const online: Promise<void>[] = [];
    await this.pool(
      o.credentials.map((cred, i) => ({ cred, i })),
      o.connectConcurrency ?? 50,
      async ({ cred, i }) => {
        if (this.stopping) return;
        const statusTopic = topicFor(cred.deviceId, 'status');
        const retries = o.connectRetries ?? 2;
        for (let attempt = 0; ; attempt++) {
          try {
            const client = await connector({
              url: o.mqttUrl,
              credential: cred,
              will: { topic: statusTopic, payload: STATUS_OFFLINE },
              timeoutMs: o.connectTimeoutMs ?? 30_000,
              onEvent: (event, detail) => {
                if (event === 'reconnected')
                  online.push(this.publishStatus(client, cred.deviceId, STATUS_ONLINE));
                else this.emit('warning', `${cred.deviceId}: ${event}${detail ? `: ${detail}` : ''}`);
              },
            });
            live[i] = { cred, client };
            this.connected++;
            this.emit('connected', cred.deviceId);
            online.push(this.publishStatus(client, cred.deviceId, STATUS_ONLINE));
            return;
          } catch (e) {
            const err = e as Error & { code?: unknown };
            const refused = typeof err.code === 'number' && AUTH_REFUSED.has(err.code);
            if (refused || attempt >= retries || this.stopping) {
              const failure = { deviceId: cred.deviceId, error: err.message };
              this.failures.push(failure);
              this.emit('connect-failed', failure);
              return;
            }
            await sleep(500 * (attempt + 1));
          }
        }
      },
    );
    await Promise.all(online);
    return live.filter((l): l is { cred: DeviceCredential; client: SimClient } => l !== null);
  }

  private publishStatus(client: SimClient, deviceId: string, status: string): Promise<void> {
    return this.publishVia(client, deviceId, 'status', topicFor(deviceId, 'status'), status, 1);
  }

  /** One device's life: its records on schedule (or as fast as acks allow), then whatever it still holds. */
  private async driveDevice(l: Live): Promise<void> {
    const { dev } = l;
    const realTime = this.options.realTime ?? false;
    let previous: Promise<void> = Promise.resolve();
    let k = 0;
    for (; k < dev.records && !this.stopping; k++) {
      if (realTime) {
        const wait = dev.model.nextTs - this.clock();
        if (wait > 0) await sleep(wait, undefined, { signal: this.abort.signal }).catch(() => undefined);
        if (this.stopping) break;
      }
      // At most one tick's messages in flight per device: keeps under the broker's receive maximum.
      await previous;
      previous = this.publishMessages(l, dev.emitter.tick({ last: k === dev.records - 1 }));
    }
    if (this.stopping && k > 0 && k < dev.records && dev.spec.kind === 'badge') {
      // Stopped early: the worker still clocks out, stamped now (never before its previous record).
      const prevTs = dev.model.nextTs - dev.model.intervalMs;
      const ts = Math.min(dev.model.nextTs, Math.max(Math.round(this.clock()), prevTs + 1));
      await previous;
      previous = this.publishMessages(l, dev.emitter.tick({ last: true, ts }));
    }
    await previous;
    await this.publishMessages(l, dev.emitter.finish());
  }

  private async publishMessages(l: Live, msgs: OutgoingMessage[]): Promise<void> {
    for (let i = 0; i < msgs.length; i += MAX_INFLIGHT_PER_DEVICE) {
      await Promise.all(
        msgs.slice(i, i + MAX_INFLIGHT_PER_DEVICE).map((m) => {
          addCounts(this.records, m.counts);
          return this.publishVia(l.client, m.deviceId, m.channel, m.topic, m.payload, m.records, m);
        }),
      );
    }
  }

  /** Publishes and accounts for the outcome; never rejects (a failure is counted and reported). */
  private async publishVia(
    client: SimClient,
    deviceId: string,
    channel: keyof KindCounts,
    topic: string,
    payload: string,
    records: number,
    msg?: OutgoingMessage,
  ): Promise<void> {
    await this.window.acquire();
    this.sent[channel]++;
    const timeoutMs = this.options.ackTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.publish(topic, payload),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      this.acked[channel]++;
      if (msg) {
        this.recordsAcked += records;
        this.distinct.add(deviceId, msg.validKeys);
        this.rejectedAcked += msg.counts.malformed + msg.counts.skewed;
      }
    } catch (e) {
      this.failedPublishes++;
      this.emit('warning', `${deviceId}: publish to ${topic} failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      this.window.release();
    }
  }

  private async endClient(client: SimClient): Promise<void> {
    try {
      await client.end();
    } catch (e) {
      this.emit('warning', `disconnect failed: ${(e as Error).message}`);
    }
  }

  /** Runs fn over items with at most `concurrency` at a time. */
  private async pool<T>(
    items: readonly T[],
    concurrency: number,
    fn: (item: T) => Promise<void>,
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) await fn(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  }

  private lastProgress = { at: 0, messages: 0, records: 0 };

  /** Elapsed time and rates use the process's monotonic clock: the injected clock only stamps records. */
  private emitProgress(): void {
    const now = performance.now();
    const messages = this.acked.gps + this.acked.badge + this.acked.status;
    const dt = (now - (this.lastProgress.at || this.startedAt)) / 1000;
    const rate = {
      messagesPerSec: dt > 0 ? Math.round((messages - this.lastProgress.messages) / dt) : 0,
      recordsPerSec: dt > 0 ? Math.round((this.recordsAcked - this.lastProgress.records) / dt) : 0,
    };
    this.lastProgress = { at: now, messages, records: this.recordsAcked };
    this.emit('progress', {
      phase: this.phase,
      elapsedMs: Math.round(now - this.startedAt),
      devices: {
        total: this.options.credentials.length,
        connected: this.connected,
        failed: this.failures.length,
      },
      sent: { ...this.sent },
      acknowledged: { ...this.acked },
      recordsAcknowledged: this.recordsAcked,
      rate,
    });
  }

  private summary(): SimulationSummary {
    const elapsedMs = Math.round(performance.now() - this.startedAt);
    const creds = this.options.credentials;
    return {
      devices: {
        gps: creds.filter((c) => c.kind === 'gps').length,
        badge: creds.filter((c) => c.kind === 'badge').length,
        connected: this.connected,
        failed: this.failures.length,
        failures: this.failures.slice(0, 20),
      },
      sent: { ...this.sent },
      acknowledged: { ...this.acked },
      failedPublishes: this.failedPublishes,
      records: { ...this.records },
      expectedStored: this.distinct.count,
      expectedRejected: this.rejectedAcked,
      elapsedMs,
      recordsPerSec: elapsedMs > 0 ? Math.round((this.recordsAcked * 1000) / elapsedMs) : 0,
      stoppedEarly: this.stopping,
    };
  }
}

/** Counting semaphore with FIFO waiters. */
class Semaphore {
  private readonly waiters: (() => void)[] = [];

  constructor(private free: number) {
    if (!(free >= 1)) throw new Error(`maxInflight must be at least 1, got ${free}`);
  }

  acquire(): Promise<void> | void {
    if (this.free > 0) {
      this.free--;
      return;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

/**
 * Connects one device with mqtt.js: MQTT 5, clean start, its id as client id and username, its secret as password,
 * and `offline` on its status topic as the will. Reconnects after a drop (mqtt.js then re-sends unacknowledged
 * publishes), but not during the first connect, whose failure the simulator reports and retries itself.
 */
export const mqttConnector: Connector = (req) =>
  new Promise<SimClient>((resolve, reject) => {
    const client = mqtt.connect(req.url, {
      protocolVersion: 5,
      clientId: req.credential.deviceId,
      username: req.credential.deviceId,
      password: req.credential.secret,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: req.timeoutMs,
      will: { topic: req.will.topic, payload: Buffer.from(req.will.payload), qos: 1, retain: false },
    });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end(true);
      reject(err);
    };
    client.on('error', (err) => {
      if (!settled) fail(err);
      else req.onEvent('error', err.message);
    });
    client.on('close', () => {
      if (!settled) fail(new Error('connection closed before the broker accepted it'));
    });
    client.on('offline', () => settled && req.onEvent('disconnected'));
    client.on('connect', () => {
      if (settled) {
        req.onEvent('reconnected');
        return;
      }
      settled = true;
      client.options.reconnectPeriod = 2000;
      resolve({
        publish: async (topic, payload) => {
          await client.publishAsync(topic, payload, { qos: 1 });
        },
        end: async () => {
          // Waits for outstanding acks, but a dead connection must not hang the shutdown: then drop the socket.
          let timer: NodeJS.Timeout | undefined;
          const giveUp = new Promise<void>((done) => {
            timer = setTimeout(() => {
              client.stream?.destroy();
              done();
            }, 10_000);
          });
          await Promise.race([client.endAsync(false), giveUp]);
          clearTimeout(timer);
        },
      });
    });
  });
