import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { AppendAbandoned } from '../journal/redis-journal';
import type { IngressLogger } from './mqtt-ingress';

export interface IngressConnectionOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  /** The shared subscription's filter, subscribed at QoS 1 on every connect. */
  filter: string;
  sessionExpiryS: number;
  /** Unacknowledged messages the broker may send this connection at once (MQTT 5 Receive Maximum). */
  receiveMaximum: number;
  keepaliveS?: number;
  reconnectMs?: number;
}

const MQTT5 = { protocolVersion: 5 } as const;
const CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_KEEPALIVE_S = 30;

/** CONNACK reason codes that a retry cannot fix: at start-up they are configuration errors. */
const FATAL_CONNACK: Record<number, string> = {
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
};

/** One socket's life: what was received on it is acknowledged on it or not at all. */
interface Link {
  socket: Socket;
  /** Whether the socket has closed: appends still waiting for room give up (the broker redelivers). */
  abandoned: () => boolean;
  /** Packet ids received and not yet acknowledged; a second delivery of one of them is ignored. */
  inflight: Set<number>;
  acks: number[];
  flush: NodeJS.Immediate | null;
  keepalive: NodeJS.Timeout | null;
  connectTimer: NodeJS.Timeout | null;
  lastReceived: number;
}

/**
 * One MQTT 5 connection of ingest's shared subscription, written on mqtt-packet because MQTT.js cannot do what
 * "acknowledge only when durable" needs at speed: with a deferred acknowledgement it handles one message at a time
 * per connection, and it writes each PUBACK with its own system call (measured: 18 % of ingest's CPU). Here a
 * connection holds up to `receiveMaximum` messages at once, each acknowledged as soon as `onMessage` resolves
 * (its journal append is durable), and the acknowledgements that become ready in one event-loop turn leave in one
 * socket write.
 *
 * A message whose `onMessage` rejects is never acknowledged: the connection is dropped and the broker redelivers
 * it, and everything else unacknowledged, to the persistent session when it reconnects (clean start false, session
 * expiry set). Acknowledgements still pending for a dropped socket are discarded for the same reason.
 */
export class IngressConnection {
  private link: Link | null = null;
  private stopped = false;
  private reconnect: NodeJS.Timeout | null = null;
  private firstSubscribe: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly opts: IngressConnectionOptions,
    /** Resolves once the message is durable; `abandoned()` turns true when its connection closes first. */
    private readonly onMessage: (topic: string, payload: Buffer, abandoned: () => boolean) => Promise<void>,
    private readonly log: IngressLogger,
  ) {}

  /** Resolves once connected and subscribed; rejects when the broker refuses the credentials. */
  start(): Promise<void> {
    const scheme = new URL(this.opts.url).protocol;
    if (!['mqtt:', 'tcp:', 'mqtts:'].includes(scheme))
      return Promise.reject(new Error(`MQTT_URL: ingest connects over mqtt:// or mqtts://, not ${scheme}//`));
    this.stopped = false;
    return new Promise((resolve, reject) => {
      this.firstSubscribe = { resolve, reject };
      this.open();
    });
  }

  /** Disconnects, keeping the session: the broker keeps what is unacknowledged for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    this.firstSubscribe?.reject(
      new Error(`mqtt connection ${this.opts.clientId}: stopped before it subscribed`),
    );
    this.firstSubscribe = null;
    const link = this.link;
    if (!link || link.socket.destroyed) return;
    const closed = new Promise((resolve) => link.socket.once('close', resolve));
    if (link.flush) clearImmediate(link.flush);
    this.flushAcks(link); // what is durable already is acknowledged now rather than redelivered
    link.socket.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0 }, MQTT5));
    const timer = setTimeout(() => link.socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  private open() {
    const u = new URL(this.opts.url);
    const tls = u.protocol === 'mqtts:';
    const port = Number(u.port || (tls ? 8883 : 1883));
    const socket = tls
      ? tlsConnect({ host: u.hostname, port, servername: u.hostname })
      : netConnect(port, u.hostname);
    const link: Link = {
      socket,
      abandoned: () => socket.destroyed,
      inflight: new Set(),
      acks: [],
      flush: null,
      keepalive: null,
      lastReceived: Date.now(),
      // A broker (or a balancer in front of it) that accepts the connection and never answers would otherwise
      // hold this client id offline for good, its share of the group's messages queuing in its session.
      connectTimer: setTimeout(() => {
        this.log.warn(
          `mqtt connection ${this.opts.clientId}: no answer to CONNECT in ${CONNECT_TIMEOUT_MS} ms`,
        );
        socket.destroy();
      }, CONNECT_TIMEOUT_MS),
    };
    this.link = link;
    socket.setNoDelay(true);
    const parser = mqttPacket.parser(MQTT5);
    parser.on('packet', (p: Packet) => this.handle(link, p));
    parser.on('error', (e: Error) => {
      this.log.warn(`mqtt connection ${this.opts.clientId}: malformed packet from the broker (${e.message})`);
      socket.destroy();
    });
    socket.on('data', (chunk) => {
      link.lastReceived = Date.now();
      parser.parse(chunk);
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      if (this.stopped) return void socket.destroy();
      this.write(
        link,
        mqttPacket.generate(
          {
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 5,
            clientId: this.opts.clientId,
            clean: false,
            keepalive: this.opts.keepaliveS ?? DEFAULT_KEEPALIVE_S,
            username: this.opts.username,
            password: Buffer.from(this.opts.password),
            properties: {
              sessionExpiryInterval: this.opts.sessionExpiryS,
              receiveMaximum: this.opts.receiveMaximum,
            },
          },
          MQTT5,
        ),
      );
    });
    socket.on('error', (e) => this.log.warn(`mqtt connection ${this.opts.clientId}: ${e.message}`));
    socket.once('close', () => this.closed(link));
  }

  private handle(link: Link, p: Packet) {
    switch (p.cmd) {
      case 'connack': {
        const code = p.reasonCode ?? p.returnCode ?? 0;
        if (code !== 0) return this.refused(link, code);
        // MQTT 5: the broker's Server Keep Alive, when it sends one, replaces ours.
        this.startKeepalive(
          link,
          p.properties?.serverKeepAlive ?? this.opts.keepaliveS ?? DEFAULT_KEEPALIVE_S,
        );
        // Subscribing again is harmless when the broker kept the session, and repairs one that it did not.
        this.write(
          link,
          mqttPacket.generate(
            { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: this.opts.filter, qos: 1 }] },
            MQTT5,
          ),
        );
        return;
      }
      case 'suback': {
        if (link.connectTimer) clearTimeout(link.connectTimer);
        link.connectTimer = null;
        const granted = (p.granted as number[])[0];
        if (granted === undefined || granted >= 0x80) {
          this.log.warn(`mqtt connection ${this.opts.clientId}: SUBACK reason code ${granted}`);
          return this.fail(
            link,
            `the broker refused the subscription ${this.opts.filter} (reason code ${granted})`,
          );
        }
        this.firstSubscribe?.resolve();
        this.firstSubscribe = null;
        return;
      }
      case 'publish':
        return this.received(link, p);
      case 'disconnect':
        this.log.warn(
          `mqtt connection ${this.opts.clientId}: the broker disconnected (reason ${p.reasonCode})`,
        );
        link.socket.destroy();
        return;
      default:
        return; // pingresp: lastReceived is enough
    }
  }

  private received(link: Link, p: IPublishPacket) {
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
    const id = p.qos > 0 ? p.messageId : undefined;
    if (id !== undefined) {
      // A second delivery of an id still in flight: acknowledging both could acknowledge a later message that
      // reuses the id before it is durable. The first delivery's acknowledgement covers it.
      if (link.inflight.has(id)) return;
      link.inflight.add(id);
    }
    this.onMessage(p.topic, payload, link.abandoned).then(
      () => {
        if (id !== undefined) this.ack(link, id);
      },
      (err: unknown) => {
        if (err instanceof AppendAbandoned || link.socket.destroyed) return; // redelivered on the next connection
        // Not durable. A PUBACK, even with an error code, would end the delivery and lose the message, so drop
        // the connection unacknowledged instead: the broker redelivers it to the persistent session.
        this.log.error(`journal append failed for ${p.topic}; reconnecting so the broker redelivers`, err);
        link.socket.destroy();
      },
    );
  }

  private ack(link: Link, messageId: number) {
    if (link !== this.link || !writable(link)) return; // that delivery ended with its socket
    link.acks.push(messageId);
    link.flush ??= setImmediate(() => {
      link.flush = null;
      this.flushAcks(link);
    });
  }

  private flushAcks(link: Link) {
    const ids = link.acks;
    link.acks = [];
    if (ids.length === 0 || !writable(link)) return;
    for (const id of ids) link.inflight.delete(id);
    this.write(
      link,
      Buffer.concat(
        ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId, reasonCode: 0 }, MQTT5)),
      ),
    );
  }

  private startKeepalive(link: Link, seconds: number) {
    if (seconds <= 0) return; // keepalive off
    link.keepalive = setInterval(
      () => {
        if (Date.now() - link.lastReceived > seconds * 1500) {
          this.log.warn(
            `mqtt connection ${this.opts.clientId}: no answer from the broker for ${seconds * 1.5} s`,
          );
          link.socket.destroy();
          return;
        }
        this.write(link, mqttPacket.generate({ cmd: 'pingreq' }, MQTT5));
      },
      (seconds * 1000) / 2,
    );
    link.keepalive.unref();
  }

  private refused(link: Link, code: number) {
    const fatal = FATAL_CONNACK[code];
    if (fatal && this.firstSubscribe) {
      // At start-up a refusal that a retry cannot fix is a configuration error: fail loudly, do not retry forever.
      return this.fail(link, `CONNACK reason code ${code} (${fatal})`);
    }
    this.log.warn(
      `mqtt connection ${this.opts.clientId}: CONNACK reason code ${code} (${fatal ?? 'temporary'}); retrying`,
    );
    link.socket.destroy();
  }

  private fail(link: Link, why: string) {
    if (this.firstSubscribe) {
      this.stopped = true;
      this.firstSubscribe.reject(
        new Error(`the broker refused ingest's connection ${this.opts.clientId}: ${why}`),
      );
      this.firstSubscribe = null;
    }
    link.socket.destroy();
  }

  private closed(link: Link) {
    if (link.connectTimer) clearTimeout(link.connectTimer);
    if (link.keepalive) clearInterval(link.keepalive);
    if (link.flush) clearImmediate(link.flush);
    link.acks = [];
    if (link !== this.link || this.stopped) return;
    this.reconnect = setTimeout(() => this.open(), this.opts.reconnectMs ?? 1000);
  }

  private write(link: Link, data: Buffer) {
    if (writable(link)) link.socket.write(data);
  }
}

const writable = (link: Link) => !link.socket.destroyed && !link.socket.writableEnded;
