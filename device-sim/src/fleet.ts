import type { DeviceKind } from '@dwg/contracts';
import { createDeviceModel, type BadgeModel, type DeviceSpec, type VehicleModel } from './devices';
import {
  DeviceEmitter,
  DistinctTracker,
  addCounts,
  emptyCounts,
  type FaultRates,
  type OutgoingMessage,
  type RecordCounts,
} from './faults';
import { hashSeed } from './prng';
import { buildWorld, type World } from './world';

export interface FleetOptions {
  devices: DeviceSpec[];
  seed?: number;
  gpsIntervalMs?: number;
  badgeIntervalMs?: number;
  /** Records per device = durationMs / interval of its kind (at least 1). */
  durationMs?: number;
  /** Takes precedence over durationMs. */
  recordsPerDevice?: number;
  /**
   * true: the first record is due within one interval from now and records follow in real time.
   * false: the run is compressed: ts are still spaced by the interval, and the last record of each device is
   * stamped about now (the start of the run), so nothing is ever in the future.
   */
  realTime?: boolean;
  faults?: Partial<FaultRates>;
  /** Wall clock, epoch ms; injectable so tests and benchmarks control time. */
  clock?: () => number;
  /** A prebuilt world; by default buildWorld({ seed }). */
  world?: World;
  /** Chance per badge record of an SOS. */
  sosRate?: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_INTERVALS: Record<DeviceKind, number> = { gps: 5000, badge: 30_000 };

export interface FleetDevice {
  spec: DeviceSpec;
  model: VehicleModel | BadgeModel;
  emitter: DeviceEmitter;
  /** Records this device generates; Infinity until stopped. */
  records: number;
}

export function intervalFor(
  kind: DeviceKind,
  opts: Pick<FleetOptions, 'gpsIntervalMs' | 'badgeIntervalMs'>,
): number {
  const ms =
    kind === 'gps'
      ? (opts.gpsIntervalMs ?? DEFAULT_INTERVALS.gps)
      : (opts.badgeIntervalMs ?? DEFAULT_INTERVALS.badge);
  if (!Number.isFinite(ms) || ms < 1) throw new Error(`${kind} interval must be at least 1 ms, got ${ms}`);
  return Math.round(ms); // ts are integer milliseconds
}

export function recordsFor(
  intervalMs: number,
  opts: Pick<FleetOptions, 'durationMs' | 'recordsPerDevice'>,
): number {
  if (opts.recordsPerDevice !== undefined) {
    if (!Number.isInteger(opts.recordsPerDevice) || opts.recordsPerDevice < 1)
      throw new Error(`recordsPerDevice must be a positive integer, got ${opts.recordsPerDevice}`);
    return opts.recordsPerDevice;
  }
  if (opts.durationMs !== undefined) return Math.max(1, Math.floor(opts.durationMs / intervalMs));
  return Infinity;
}

/**
 * Models and emitters for every device. Devices get a fixed phase within their interval (from the seed), so a fleet
 * does not report all in the same millisecond. `t0` anchors the timeline (see FleetOptions.realTime).
 */
export function createFleet(opts: FleetOptions, t0: number): { world: World; devices: FleetDevice[] } {
  const seed = opts.seed ?? DEFAULT_SEED;
  const world = opts.world ?? buildWorld({ seed });
  const index: Record<DeviceKind, number> = { gps: 0, badge: 0 };
  const seen = new Set<string>();
  const devices = opts.devices.map((spec): FleetDevice => {
    if (seen.has(spec.deviceId)) throw new Error(`device ${spec.deviceId} is listed twice`);
    seen.add(spec.deviceId);
    const intervalMs = intervalFor(spec.kind, opts);
    const records = recordsFor(intervalMs, opts);
    if (!opts.realTime && records === Infinity)
      throw new Error('a compressed (non real-time) run needs durationMs or recordsPerDevice');
    const phase = hashSeed(seed, 'phase', spec.deviceId) % intervalMs;
    const startTs = opts.realTime ? t0 + phase : t0 - phase - (records - 1) * intervalMs;
    const model = createDeviceModel(world, spec, index[spec.kind]++, {
      seed,
      startTs: Math.round(startTs),
      intervalMs,
      sosRate: opts.sosRate,
    });
    const emitter = new DeviceEmitter(model, { seed, faults: opts.faults, clock: opts.clock });
    return { spec, model, emitter, records };
  });
  return { world, devices };
}

export interface DryRunResult {
  world: World;
  /** Every message in publish order per device; devices interleaved one record at a time. */
  messages: OutgoingMessage[];
  counts: RecordCounts;
  /** Distinct valid (device, seq, ts): what the platform stores. */
  expectedStored: number;
  /** Records the platform must reject into dead letters: one per malformed or skewed record. */
  expectedRejected: number;
}

/** Generates a whole compressed run without a broker: for tests, and for feeding an ingest pipeline directly. */
export function dryRun(opts: FleetOptions): DryRunResult {
  const clock = opts.clock ?? Date.now;
  const { world, devices } = createFleet({ ...opts, clock, realTime: false }, clock());
  const messages: OutgoingMessage[] = [];
  const distinct = new DistinctTracker();
  const counts = emptyCounts();
  const take = (msgs: OutgoingMessage[]) => {
    for (const m of msgs) {
      messages.push(m);
      addCounts(counts, m.counts);
      distinct.add(m.deviceId, m.validKeys);
    }
  };
  const most = Math.max(0, ...devices.map((d) => d.records));
  for (let k = 0; k < most; k++) {
    for (const d of devices) if (k < d.records) take(d.emitter.tick({ last: k === d.records - 1 }));
  }
  for (const d of devices) take(d.emitter.finish());
  return {
    world,
    messages,
    counts,
    expectedStored: distinct.count,
    expectedRejected: counts.malformed + counts.skewed,
  };
}
