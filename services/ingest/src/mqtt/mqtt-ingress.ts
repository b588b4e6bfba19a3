import { sharedSubscription } from '@dwg/contracts';
import type { RedisJournal } from '../journal/redis-journal';
import type { IngestMetrics } from '../http/metrics';
import { IngressConnection } from './ingress-connection';

export interface MqttIngressOptions {
  url: string;
  username: string;
  password: string;
  shareGroup: string;
  instanceId: string;
  connections: number;
  /** Unacknowledged messages per connection (MQTT 5 Receive Maximum). */
  receiveMaximum: number;
}

export interface IngressLogger {
  log(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}

const SESSION_EXPIRY_S = 7 * 24 * 3600;

/**
 * Receives device messages through a shared subscription and acknowledges each one only after it is durable in
 * the journal. Each instance holds several MQTT 5 connections in the group (IngressConnection), each with up to
 * `receiveMaximum` unacknowledged messages, so many journal appends share one Redis fsync.
 *
 * Client ids are stable (instance id + index) with persistent sessions, so what the broker queued for a connection
 * while the instance was down is delivered when it comes back.
 */
export class MqttIngress {
  private connections: IngressConnection[] = [];

  constructor(
    private readonly journal: RedisJournal,
    private readonly opts: MqttIngressOptions,
    private readonly log: IngressLogger,
    private readonly metrics?: IngestMetrics,
  ) {}

  async start(): Promise<void> {
    const filter = sharedSubscription(this.opts.shareGroup);
    const onMessage = async (topic: string, payload: Buffer, abandoned: () => boolean) => {
      await this.journal.append(topic, payload, new Date(), abandoned);
      this.metrics?.messagesReceived.inc();
    };
    this.connections = Array.from(
      { length: this.opts.connections },
      (_, i) =>
        new IngressConnection(
          {
            url: this.opts.url,
            clientId: `${this.opts.instanceId}-${i}`,
            username: this.opts.username,
            password: this.opts.password,
            filter,
            sessionExpiryS: SESSION_EXPIRY_S,
            receiveMaximum: this.opts.receiveMaximum,
          },
          onMessage,
          this.log,
        ),
    );
    const started = await Promise.allSettled(this.connections.map((c) => c.start()));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
    this.log.log(`subscribed to ${filter} with ${this.connections.length} connections`);
  }

  /** Closes the connections; unacknowledged messages stay with the broker for the next start. */
  async stop(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.stop().catch(() => undefined)));
    this.connections = [];
  }
}
