import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';
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
  private socket: Socket | null = null;
  private stopped = false;
  private acks: number[] = [];
  private ackFlush: NodeJS.Immediate | null = null;
  private keepalive: NodeJS.Timeout | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private lastReceived = 0;
  private firstSubscribe: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly opts: IngressConnectionOptions,
    private readonly onMessage: (topic: string, payload: Buffer) => Promise<void>,
    private readonly log: IngressLogger,
  ) {}

  /** Resolves once connected and subscribed; rejects when the broker refuses the credentials. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstSubscribe = { resolve, reject };
      this.open();
    });
  }

  /** Disconnects, keeping the session: the broker keeps what is unacknowledged for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.end(mqttPacket.generate({ cmd: 'disconnect', reasonCode: 0 }, MQTT5));
    const timer = setTimeout(() => socket.destroy(), 2000);
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
    this.socket = socket;
    socket.setNoDelay(true);
    const parser = mqttPacket.parser(MQTT5);
    parser.on('packet', (p: Packet) => this.handle(socket, p));
    parser.on('error', (e: Error) => {
      this.log.warn(`mqtt connection ${this.opts.clientId}: malformed packet from the broker (${e.message})`);
      socket.destroy();
    });
    socket.on('data', (chunk) => {
      this.lastReceived = Date.now();
      parser.parse(chunk);
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      this.lastReceived = Date.now();
      this.write(
        socket,
        mqttPacket.generate(
          {
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 5,
            clientId: this.opts.clientId,
            clean: false,
            keepalive: this.opts.keepaliveS ?? 30,
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
    socket.once('close', () => this.closed(socket));
  }

  private handle(socket: Socket, p: Packet) {
    switch (p.cmd) {
      case 'connack': {
        const code = p.reasonCode ?? p.returnCode ?? 0;
        if (code !== 0) return this.refused(socket, `CONNACK reason code ${code}`);
        this.startKeepalive(socket);
        // Subscribing again is harmless when the broker kept the session, and repairs one that it did not.
        this.write(
          socket,
          mqttPacket.generate(
            { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: this.opts.filter, qos: 1 }] },
            MQTT5,
          ),
        );
        return;
      }
      case 'suback': {
        const granted = (p.granted as number[])[0];
        if (granted === undefined || granted >= 0x80)
          return this.refused(socket, `SUBACK reason code ${granted} for ${this.opts.filter}`);
        this.firstSubscribe?.resolve();
        this.firstSubscribe = null;
        return;
      }
      case 'publish':
        return this.received(socket, p);
      case 'disconnect':
        this.log.warn(
          `mqtt connection ${this.opts.clientId}: the broker disconnected (reason ${p.reasonCode})`,
        );
        socket.destroy();
        return;
      default:
        return; // pingresp: lastReceived is enough
    }
  }

  private received(socket: Socket, p: IPublishPacket) {
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
    this.onMessage(p.topic, payload).then(
      () => {
        if (p.qos === 1 && p.messageId !== undefined) this.ack(socket, p.messageId);
      },
      (err: unknown) => {
        // Not durable. A PUBACK, even with an error code, would end the delivery and lose the message, so drop
        // the connection unacknowledged instead: the broker redelivers it to the persistent session.
        this.log.error(`journal append failed for ${p.topic}; reconnecting so the broker redelivers`, err);
        socket.destroy();
      },
    );
  }

  private ack(socket: Socket, messageId: number) {
    if (socket !== this.socket || socket.destroyed) return; // that delivery ended with its socket
    this.acks.push(messageId);
    this.ackFlush ??= setImmediate(() => {
      this.ackFlush = null;
      const ids = this.acks;
      this.acks = [];
      if (socket !== this.socket || socket.destroyed) return;
      this.write(
        socket,
        Buffer.concat(ids.map((messageId) => mqttPacket.generate({ cmd: 'puback', messageId }, MQTT5))),
      );
    });
  }

  private startKeepalive(socket: Socket) {
    const s = this.opts.keepaliveS ?? 30;
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = setInterval(
      () => {
        if (Date.now() - this.lastReceived > s * 1500) {
          this.log.warn(`mqtt connection ${this.opts.clientId}: no answer from the broker for ${s * 1.5} s`);
          socket.destroy();
          return;
        }
        this.write(socket, mqttPacket.generate({ cmd: 'pingreq' }, MQTT5));
      },
      (s * 1000) / 2,
    );
    this.keepalive.unref();
  }

  private refused(socket: Socket, why: string) {
    if (this.firstSubscribe) {
      // At start-up a refusal is a configuration error: fail loudly instead of retrying forever.
      this.stopped = true;
      this.firstSubscribe.reject(
        new Error(`the broker refused ingest's connection ${this.opts.clientId}: ${why}`),
      );
      this.firstSubscribe = null;
    } else {
      this.log.warn(`mqtt connection ${this.opts.clientId}: ${why}; retrying`);
    }
    socket.destroy();
  }

  private closed(socket: Socket) {
    if (socket !== this.socket) return;
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
    this.acks = [];
    if (this.stopped) return;
    this.reconnect = setTimeout(() => this.open(), this.opts.reconnectMs ?? 1000);
  }

  private write(socket: Socket, data: Buffer) {
    if (!socket.destroyed) socket.write(data);
  }
}
