/**
 * The benchmark's device connection: one MQTT 3.1.1 connection with its own credentials that publishes at QoS 1
 * and counts PUBACKs, written straight on mqtt-packet. Real terminals run elsewhere; on the benchmark's two cores
 * every CPU second the load generator spends is taken from the pipeline being measured, and a full MQTT.js client
 * per device (stores, timers, one socket write per packet) cost about 0.25 s per 10,000 records.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

export class LeanDevice {
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();
  private failed: Error | null = null;

  private constructor(private readonly socket: Socket) {}

  static async connect(
    url: string,
    clientId: string,
    username: string,
    password: string,
  ): Promise<LeanDevice> {
    const u = new URL(url);
    const socket = connect(Number(u.port || 1883), u.hostname);
    socket.setNoDelay(true);
    const device = new LeanDevice(socket);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const connack = new Promise<void>((resolve, reject) => {
      parser.on('packet', (p: mqttPacket.Packet) => {
        if (p.cmd === 'connack') {
          if (p.returnCode === 0) resolve();
          else reject(new Error(`${clientId}: CONNACK return code ${p.returnCode}`));
        } else if (p.cmd === 'puback' && p.messageId !== undefined) {
          const done = device.waiting.get(p.messageId);
          device.waiting.delete(p.messageId);
          done?.();
        }
      });
      parser.on('error', (e: Error) => device.fail(e));
      socket.on('error', (e) => {
        device.fail(e);
        reject(e);
      });
      socket.once('close', () => {
        const closed = new Error(`${clientId}: connection closed`);
        device.fail(closed);
        reject(closed); // before CONNACK; a no-op after it
      });
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId,
        username,
        password: Buffer.from(password),
        keepalive: 300,
      }),
    );
    await connack;
    return device;
  }

  /** Publishes the payloads at QoS 1 in one socket write; resolves when every one is acknowledged. */
  publishAll(topic: string, payloads: Buffer[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const acks: Promise<void>[] = [];
    const packets = payloads.map((payload) => {
      const messageId = this.nextId;
      this.nextId = (this.nextId % 65535) + 1;
      acks.push(new Promise((resolve) => this.waiting.set(messageId, resolve)));
      return mqttPacket.generate({
        cmd: 'publish',
        topic,
        payload,
        qos: 1,
        messageId,
        retain: false,
        dup: false,
      });
    });
    this.socket.write(Buffer.concat(packets));
    return Promise.all(acks).then(() => {
      if (this.failed) throw this.failed;
    });
  }

  async end(): Promise<void> {
    if (this.socket.destroyed) return;
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    await new Promise((resolve) => this.socket.once('close', resolve));
  }

  private fail(e: Error) {
    if (this.failed) return;
    this.failed = e;
    // Unblock whoever waits: publishAll rethrows the failure.
    for (const done of this.waiting.values()) done();
    this.waiting.clear();
  }
}
