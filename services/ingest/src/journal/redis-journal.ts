import type { Redis } from 'ioredis';

export interface JournalEntry {
  id: string;
  topic: string;
  payload: Buffer;
  receivedAt: Date;
}

/** An append given up while it waited for room: nothing was written, and nothing may be acknowledged. */
export class AppendAbandoned extends Error {
  constructor() {
    super('append abandoned: its connection closed while it waited for room in the journal');
  }
}

interface Waiter {
  wake: () => void;
  giveUp: () => void;
  abandoned?: () => boolean;
}

export interface JournalOptions {
  key: string;
  group: string;
  consumer: string;
  highWater: number;
  claimIdleMs: number;
}

/**
 * The durable step between the broker and MongoDB: every MQTT message is appended to a Redis stream (AOF,
 * appendfsync always) before it is acknowledged, then written to MongoDB in batches and removed. Appends issued in
 * one event-loop turn travel in one pipeline, so Redis fsyncs them together (group commit).
 *
 * Several ingest instances share the stream through one consumer group; entries an instance read but never finished
 * (it was killed) stay pending under its name: it takes them back when it restarts with the same id, and any other
 * instance claims them once they have been idle for claimIdleMs.
 */
export class RedisJournal {
  private length = 0;
  private waiters: Waiter[] = [];
  private recheck: NodeJS.Timeout | null = null;

  /**
   * @param appender auto-pipelined connection for appends (one round trip and one fsync per event-loop turn)
   * @param reader separate connection for reads: a blocking XREADGROUP would otherwise hold up the appends
   */
  constructor(
    private readonly appender: Redis,
    private readonly reader: Redis,
    private readonly opts: JournalOptions,
  ) {}

  async init(): Promise<void> {
    try {
      await this.reader.xgroup('CREATE', this.opts.key, this.opts.group, '0', 'MKSTREAM');
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
    await this.refreshLength();
  }

  /**
   * Resolves once the entry is durable in Redis; waits first while the journal is above its high-water mark.
   * Rejects with AppendAbandoned, without appending, once `abandoned()` says its connection is gone while it waits
   * (the broker will redeliver the message): checked whenever the length is read, at least every second, so
   * abandoned messages do not pile up in memory. A function rather than an AbortSignal: one listener per waiting
   * message cost ingest about a quarter more CPU per record.
   */
  async append(topic: string, payload: Buffer, receivedAt: Date, abandoned?: () => boolean): Promise<void> {
    // Queue behind earlier waiters (first come, first served); refreshLength wakes only as many as there is room.
    if (this.length >= this.opts.highWater || this.waiters.length > 0) {
      await new Promise<void>((resolve, reject) => {
        this.waiters.push({ wake: resolve, giveUp: () => reject(new AppendAbandoned()), abandoned });
        // Waiters are woken when the journal shrinks; this instance's writer may have nothing to complete (another
        // instance took the entries), so look again every second while anyone waits.
        this.recheck ??= setInterval(() => void this.refreshLength().catch(() => undefined), 1000).unref();
      });
    }
    this.length++;
    try {
      await this.appender.xadd(
        this.opts.key,
        '*',
        't',
        topic,
        'r',
        String(receivedAt.getTime()),
        'p',
        payload,
      );
    } catch (e) {
      this.length--;
      throw e;
    }
  }

  get approximateLength(): number {
    return this.length;
  }

  /** This consumer's own unfinished entries (after a crash), oldest first. */
  async readOwnPending(count: number): Promise<JournalEntry[]> {
    return this.read(count, 0, '0');
  }

  /** New entries, waiting up to blockMs for the first one. */
  async readNew(count: number, blockMs: number): Promise<JournalEntry[]> {
    return this.read(count, blockMs, '>');
  }

  /** Takes over entries that another (probably dead) consumer left unfinished. */
  async claimAbandoned(count: number): Promise<JournalEntry[]> {
    const res = (await this.reader.callBuffer(
      'XAUTOCLAIM',
      ...[this.opts.key, this.opts.group, this.opts.consumer, this.opts.claimIdleMs, '0-0', 'COUNT', count],
    )) as [Buffer, [Buffer, Buffer[] | null][]];
    return parseEntries(res[1] ?? []);
  }

  async complete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.reader
      .multi()
      .xack(this.opts.key, this.opts.group, ...ids)
      .xdel(this.opts.key, ...ids)
      .exec();
    await this.refreshLength();
  }

  async refreshLength(): Promise<number> {
    this.length = await this.reader.xlen(this.opts.key);
    this.wakeWaiters();
    return this.length;
  }

  /** Gives up the waits of closed connections, then wakes as many others, oldest first, as there is room for. */
  private wakeWaiters() {
    const alive: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.abandoned?.()) w.giveUp();
      else alive.push(w);
    }
    alive.splice(0, Math.max(0, this.opts.highWater - this.length)).forEach((w) => w.wake());
    this.waiters = alive;
    if (alive.length === 0 && this.recheck) {
      clearInterval(this.recheck);
      this.recheck = null;
    }
  }

  private async read(count: number, blockMs: number, from: '0' | '>'): Promise<JournalEntry[]> {
    const args: (string | number)[] = ['GROUP', this.opts.group, this.opts.consumer, 'COUNT', count];
    if (from === '>' && blockMs > 0) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.opts.key, from);
    // The reply shape is [[key, [[id, fields]]]] or null.
    const res = (await this.reader.callBuffer('XREADGROUP', ...args)) as
      [Buffer, [Buffer, Buffer[] | null][]][] | null;
    if (!res || res.length === 0) return [];
    const raw = res[0][1];
    // An entry deleted while still pending comes back without fields: acknowledge it so it is not read forever.
    const gone = raw.filter(([, fields]) => !fields).map(([id]) => id.toString());
    if (gone.length) await this.reader.xack(this.opts.key, this.opts.group, ...gone);
    return parseEntries(raw);
  }
}

function parseEntries(raw: [Buffer, Buffer[] | null][]): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const [idBuf, fields] of raw) {
    if (!fields) continue; // deleted while pending: nothing left to write
    const f: Record<string, Buffer> = {};
    for (let i = 0; i < fields.length; i += 2) f[fields[i].toString()] = fields[i + 1];
    out.push({
      id: idBuf.toString(),
      topic: f.t?.toString() ?? '',
      payload: f.p ?? Buffer.alloc(0),
      receivedAt: new Date(Number(f.r?.toString() ?? Date.now())),
    });
  }
  return out;
}
