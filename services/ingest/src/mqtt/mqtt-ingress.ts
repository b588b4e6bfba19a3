import mqtt, { type MqttClient } from 'mqtt';
import { sharedSubscription } from '@dwg/contracts';
import type { RedisJournal } from '../journal/redis-journal';
import type { IngestMetrics } from '../http/metrics';

export interface MqttIngressOptions {
  url: string;
  username: string;
  password: string;
  shareGroup: string;
  instanceId: string;
  connections: number;
}

export interface IngressLogger {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}

const SESSION_EXPIRY_S = 7 * 24 * 3600;

/**
 * Receives device messages through a shared subscription and acknowledges each one only after it is durable in
 * the journal. MQTT 5 is required: MQTT.js defers the PUBACK only for v5 (customHandleAcks), and it then holds one
 * unacknowledged message per connection, hence several connections per instance.
 *
 * Client ids are stable (instance id + index) with persistent sessions, so what the broker queued for a connection
 * while the instance was down is delivered when it comes back.
 */
export class MqttIngress {
  private clients: MqttClient[] = [];

  constructor(
    private readonly journal: RedisJournal,
    private readonly opts: MqttIngressOptions,
    private readonly log: IngressLogger,
    private readonly metrics?: IngestMetrics,
  ) {}

  async start(): Promise<void> {
    const filter = sharedSubscription(this.opts.shareGroup);
    const connecting = Array.from({ length: this.opts.connections }, (_, i) => this.connect(i, filter));
    this.clients = await Promise.all(connecting);
    this.log.log(`subscribed to ${filter} with ${this.clients.length} connections`);
  }

  /** Closes the connections; unacknowledged messages stay with the broker for the next start. */
  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
    this.clients = [];
  }

  private connect(index: number, filter: string): Promise<MqttClient> {
    const client = mqtt.connect(this.opts.url, {
      clientId: `${this.opts.instanceId}-${index}`,
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      customHandleAcks: (topic, payload, _packet, done) => {
        this.journal.append(topic, payload, new Date()).then(
          () => {
            this.metrics?.messagesReceived.inc();
            done(0);
          },
          (err: unknown) => {
            // Not durable. A PUBACK, even with an error code, would end the delivery and lose the message, so
            // drop the connection unacknowledged instead: the broker redelivers it to the persistent session.
            this.log.error(`journal append failed for ${topic}; reconnecting so the broker redelivers`, err);
            client.stream.destroy();
          },
        );
      },
    });
    client.on('error', (e) => this.log.warn(`mqtt connection ${index}: ${e.message}`));
    return new Promise((resolve, reject) => {
      const onFirstError = (e: Error) => {
        if (
          (e as { code?: number }).code === 4 ||
          (e as { code?: number }).code === 5 ||
          /Not authorized|Bad User/i.test(e.message)
        ) {
          client.end(true);
          reject(new Error(`the broker refused ingest's credentials: ${e.message}`));
        }
      };
      client.once('error', onFirstError);
      client.once('connect', () => {
        client.off('error', onFirstError);
        // Subscribing again is harmless when the broker kept the session, and repairs one that it did not.
        client.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve(client)));
      });
    });
  }
}
