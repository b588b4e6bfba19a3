import { PROTOCOL_LIMITS, topicFor } from '@dwg/contracts';
import { Rng, hashSeed } from './prng';
import type { DeviceModel, DeviceRecord, NextOptions } from './devices';

/** Chance per generated record (0..1) of each fault. */
export interface FaultRates {
  /** The record is published again, 0-3 reports later (as a redelivering terminal does). */
  duplicate: number;
  /** The record is held back and published after the next valid record. */
  outOfOrder: number;
  /** The device goes silent for 1-10 minutes, stores its records and then uploads them as JSON arrays of up to 500. */
  offline: number;
  /** The record is published broken: swapped coordinates (lat out of range), a wrong type, or truncated JSON. */
  malformed: number;
  /** The record is stamped 10 minutes ahead of the clock, which the platform rejects (its limit is 5). */
  clockSkew: number;
}

export const FAULT_KINDS = ['duplicate', 'outOfOrder', 'offline', 'malformed', 'clockSkew'] as const;
export const NO_FAULTS: FaultRates = { duplicate: 0, outOfOrder: 0, offline: 0, malformed: 0, clockSkew: 0 };
export const CLOCK_SKEW_MS = 10 * 60_000;

export type MalformedKind = 'lat-out-of-range' | 'wrong-type' | 'bad-json';

/** Fills in missing rates with 0 and refuses anything that is not a known fault with a rate in 0..1. */
export function normalizeFaults(faults: Partial<Record<string, number>> = {}): FaultRates {
  const out: FaultRates = { ...NO_FAULTS };
  for (const [k, v] of Object.entries(faults)) {
    if (!(FAULT_KINDS as readonly string[]).includes(k))
      throw new Error(`unknown fault "${k}"; known: ${FAULT_KINDS.join(', ')}`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
      throw new Error(`fault rate ${k}=${String(v)} must be a number from 0 to 1`);
    out[k as keyof FaultRates] = v;
  }
  return out;
}

/** Parses the CLI form `duplicate=0.02,outOfOrder=0.02,...`. */
export function parseFaults(spec: string): FaultRates {
  const rates: Record<string, number> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]+)=([0-9.eE+-]+)$/.exec(part);
    if (!m) throw new Error(`fault "${part}" must look like name=rate, e.g. duplicate=0.02`);
    rates[m[1]] = Number(m[2]);
  }
  return normalizeFaults(rates);
}

/** What a message (or a run) carries, counted per record. */
export interface RecordCounts {
  /** Valid records published, duplicate copies included. */
  valid: number;
  /** Extra copies of valid records among them. */
  duplicatesInjected: number;
  malformed: number;
  skewed: number;
  /** Valid records published after a later one. */
  outOfOrder: number;
  /** Array uploads after an offline spell. */
  offlineBatches: number;
}

export const emptyCounts = (): RecordCounts => ({
  valid: 0,
  duplicatesInjected: 0,
  malformed: 0,
  skewed: 0,
  outOfOrder: 0,
  offlineBatches: 0,
});

export function addCounts(into: RecordCounts, c: RecordCounts): void {
  into.valid += c.valid;
  into.duplicatesInjected += c.duplicatesInjected;
  into.malformed += c.malformed;
  into.skewed += c.skewed;
  into.outOfOrder += c.outOfOrder;
  into.offlineBatches += c.offlineBatches;
}

/** One MQTT publish a device makes, with what it carries. */
export interface OutgoingMessage {
  deviceId: string;
  channel: 'gps' | 'badge';
  topic: string;
  /** Exactly the bytes published (UTF-8). */
  payload: string;
  /** Records in the payload (a truncated JSON counts as the one record it was). */
  records: number;
  /** `seq:ts` of each valid record in it: the platform stores each distinct one once per device. */
  validKeys: string[];
  counts: RecordCounts;
}

export const recordKey = (r: { seq: number; ts: number }) => `${r.seq}:${r.ts}`;

interface Item {
  record: DeviceRecord;
  fault: 'none' | 'skew' | MalformedKind;
  dup: boolean;
  late: boolean;
}

export interface EmitterOptions {
  seed: number;
  faults?: Partial<FaultRates>;
  /** Wall clock (epoch ms): skewed records are stamped relative to it at the moment they are published. */
  clock?: () => number;
}

/**
 * Turns a device model's records into the MQTT messages the device publishes, injecting faults. Faults use their
 * own PRNG stream, so a track is the same with and without faults. Counts are taken as messages leave the emitter,
 * so they always describe exactly what was handed to the broker.
 * The first and last record (a badge's clock-in and clock-out) are never corrupted, delayed or reordered.
 */
export class DeviceEmitter {
  readonly faults: FaultRates;
  readonly topic: string;
  private readonly rng: Rng;
  private readonly clock: () => number;
  private held: Item | null = null;
  private dups: { due: number; item: Item }[] = [];
  private offlineTicksLeft = 0;
  private buffer: Item[] = [];
  private ticks = 0;
  private finished = false;

  constructor(
    readonly model: DeviceModel,
    opts: EmitterOptions,
  ) {
    this.faults = normalizeFaults(opts.faults);
    this.rng = new Rng(hashSeed(opts.seed, 'faults', model.deviceId));
    this.clock = opts.clock ?? Date.now;
    this.topic = topicFor(model.deviceId, model.kind);
  }

  get offline(): boolean {
    return this.offlineTicksLeft > 0;
  }

  /** Generates the next record and returns the messages to publish now (none while offline or holding it back). */
  tick(opts: NextOptions = {}): OutgoingMessage[] {
    if (this.finished) throw new Error(`${this.model.deviceId}: tick after finish`);
    const f = this.faults;
    const first = this.model.generated === 0;
    const last = opts.last ?? false;
    const record = this.model.next(opts);
    this.ticks++;
    const out: OutgoingMessage[] = [];
    const pending: Item[] = [];

    if (!this.offline && !first && !last && this.rng.chance(f.offline)) {
      const spellMs = this.rng.range(60_000, 600_000);
      this.offlineTicksLeft = Math.min(
        PROTOCOL_LIMITS.maxRecordsPerMessage,
        Math.max(2, Math.round(spellMs / this.model.intervalMs)),
      );
    }

    const exempt = first || last;
    let item: Item = { record, fault: 'none', dup: false, late: false };
    if (!exempt && this.rng.chance(f.clockSkew)) item = { ...item, fault: 'skew' };
    else if (!exempt && this.rng.chance(f.malformed)) item = { ...item, fault: this.malformedKind() };
    const valid = item.fault === 'none';
    // A held record gets no duplicate: its copy could overtake it and the reorder would not be what we count.
    const hold = valid && !exempt && !this.held && this.rng.chance(f.outOfOrder);
    if (valid && !hold && !last && this.rng.chance(f.duplicate))
      this.dups.push({ due: this.ticks + this.rng.int(0, 3), item: { ...item, dup: true } });

    if (last) {
      // Everything still pending goes before the clock-out, which stays the final record.
      if (this.held) pending.push(this.held);
      this.held = null;
      pending.push(...this.dups.map((d) => d.item), item);
      this.dups = [];
    } else if (hold) {
      this.held = item;
    } else {
      pending.push(item);
      if (this.held && valid) {
        // Released only after a later valid record went out, so it really arrives out of order.
        pending.push({ ...this.held, late: true });
        this.held = null;
      }
    }
    for (const d of this.dups.filter((x) => x.due <= this.ticks)) pending.push(d.item);
    this.dups = this.dups.filter((x) => x.due > this.ticks);

    for (const it of pending) this.emit(it, out);
    if (this.offline && (--this.offlineTicksLeft === 0 || last)) {
      this.offlineTicksLeft = 0;
      this.flushBuffer(out);
    }
    return out;
  }

  /** Publishes whatever is still held back, scheduled or stored (the device comes online to upload before it stops). */
  finish(): OutgoingMessage[] {
    if (this.finished) return [];
    this.finished = true;
    const out: OutgoingMessage[] = [];
    if (this.held) this.emit(this.held, out);
    this.held = null;
    for (const d of this.dups) this.emit(d.item, out);
    this.dups = [];
    this.offlineTicksLeft = 0;
    this.flushBuffer(out);
    return out;
  }

  private malformedKind(): MalformedKind {
    return this.rng.pick(['lat-out-of-range', 'wrong-type', 'bad-json'] as const);
  }

  private emit(item: Item, out: OutgoingMessage[]): void {
    if (this.offline) this.buffer.push(item);
    else out.push(this.message([item], false));
  }

  private flushBuffer(out: OutgoingMessage[]): void {
    const max = PROTOCOL_LIMITS.maxRecordsPerMessage;
    for (let i = 0; i < this.buffer.length; i += max)
      out.push(this.message(this.buffer.slice(i, i + max), true));
    this.buffer = [];
  }

  private message(items: Item[], asArray: boolean): OutgoingMessage {
    const counts = emptyCounts();
    const validKeys: string[] = [];
    const now = this.clock();
    const bodies = items.map((it): unknown => {
      if (it.fault === 'none') {
        counts.valid++;
        if (it.dup) counts.duplicatesInjected++;
        if (it.late) counts.outOfOrder++;
        validKeys.push(recordKey(it.record));
        return it.record;
      }
      if (it.fault === 'skew') {
        counts.skewed++;
        return { ...it.record, ts: now + CLOCK_SKEW_MS };
      }
      counts.malformed++;
      return corrupt(it.record, it.fault);
    });
    let payload: string;
    if (asArray) {
      counts.offlineBatches = 1;
      payload = JSON.stringify(bodies);
    } else if (items[0].fault === 'bad-json') {
      const text = JSON.stringify(items[0].record);
      payload = text.slice(0, this.rng.int(1, text.length - 1)); // a cut-off transmission: never valid JSON
    } else {
      payload = JSON.stringify(bodies[0]);
    }
    return {
      deviceId: this.model.deviceId,
      channel: this.model.kind,
      topic: this.topic,
      payload,
      records: items.length,
      validKeys,
      counts,
    };
  }
}

/**
 * A broken copy of the record. Truncated JSON only exists as a whole message; inside a stored upload the same
 * corruption shows as a null slot (the terminal lost the record), which the platform rejects as not an object.
 */
function corrupt(record: DeviceRecord, kind: MalformedKind): object | null {
  switch (kind) {
    case 'lat-out-of-range':
      return { ...record, lat: record.lng, lng: record.lat }; // swapped axes: lat 113 is impossible
    case 'wrong-type':
      if ('spd' in record) return { ...record, spd: String(record.spd) };
      return { ...record, bat: String(record.bat ?? 50) };
    case 'bad-json':
      return null;
  }
}

/**
 * Counts distinct (device, seq, ts) as the platform's unique index does. Only a window of recent keys is kept per
 * device: a copy is acknowledged within a few reports of its original (duplicates follow within 3 reports, and an
 * offline upload is checked as a whole before pruning), so keeping the newest `window / 2` keys is exact by a wide
 * margin while memory per device stays bounded (about 0.1 MB) on long runs.
 */
export class DistinctTracker {
  private readonly perDevice = new Map<string, Set<string>>();
  private total = 0;

  constructor(private readonly window = 1024) {}

  get count(): number {
    return this.total;
  }

  /** Adds keys; returns how many were new. */
  add(deviceId: string, keys: readonly string[]): number {
    let set = this.perDevice.get(deviceId);
    if (!set) this.perDevice.set(deviceId, (set = new Set()));
    let added = 0;
    for (const k of keys) {
      if (set.has(k)) continue;
      set.add(k);
      added++;
    }
    if (set.size > this.window) {
      // Sets iterate in insertion order: drop the oldest half.
      let drop = set.size - this.window / 2;
      for (const k of set) {
        if (drop-- <= 0) break;
        set.delete(k);
      }
    }
    this.total += added;
    return added;
  }
}
