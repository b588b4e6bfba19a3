import { along, bbox, bearing, booleanPointInPolygon, destination, distance, lineString } from '@turf/turf';
import type { BBox, Feature, LineString, Polygon } from 'geojson';
import {
  PROTOCOL_LIMITS,
  type BadgeEvent,
  type BadgeRecord,
  type DeviceKind,
  type GpsRecord,
  type OperatingEquipment,
} from '@dwg/contracts';
import { Rng, hashSeed } from './prng';
import { zonePolygon, type LngLat, type Route, type VehicleType, type World, type Zone } from './world';

export type DeviceRecord = GpsRecord | BadgeRecord;

export interface NextOptions {
  /** The last record of the shift: a badge clocks out. */
  last?: boolean;
  /** Stamp this record at ts instead of the next interval (e.g. a clock-out when stopped early); must be later than the previous one. */
  ts?: number;
}

/** A device's record generator with its own virtual clock: each next() advances it by one report interval. */
export interface DeviceModel<R extends DeviceRecord = DeviceRecord> {
  readonly deviceId: string;
  readonly kind: DeviceKind;
  readonly intervalMs: number;
  /** ts the next record will carry. */
  readonly nextTs: number;
  /** Records generated so far. */
  readonly generated: number;
  next(opts?: NextOptions): R;
}

export interface ModelOptions {
  seed: number;
  /** ts of the first record (epoch ms). */
  startTs: number;
  intervalMs: number;
  /** First sequence number; it wraps after 2^32 - 1 like the terminals' counters. */
  startSeq?: number;
}

export interface VehicleOptions extends ModelOptions {
  route: Route;
}

export interface BadgeOptions extends ModelOptions {
  zone: Zone;
  /** Chance per record of an SOS press (0 by default: alarms are opt-in). */
  sosRate?: number;
}

/** Speed ranges (km/h) by vehicle type: operating on a beat, and transferring between beats. */
export const SPEEDS: Record<VehicleType, { ops: [number, number]; transfer: [number, number] }> = {
  sweeper: { ops: [5, 15], transfer: [20, 50] },
  washer: { ops: [8, 15], transfer: [20, 50] },
  refuse: { ops: [10, 25], transfer: [20, 50] },
};

const r6 = (v: number) => Math.round(v * 1e6) / 1e6; // ~0.1 m, what terminals send
const r1 = (v: number) => Math.round(v * 10) / 10;

abstract class BaseModel<R extends DeviceRecord> implements DeviceModel<R> {
  abstract readonly kind: DeviceKind;
  readonly intervalMs: number;
  protected readonly rng: Rng;
  private seq: number;
  private ts: number;
  private lastTs = -Infinity;
  private count = 0;

  constructor(
    readonly deviceId: string,
    opts: ModelOptions,
  ) {
    if (!(opts.intervalMs > 0)) throw new Error(`intervalMs must be positive, got ${opts.intervalMs}`);
    this.intervalMs = opts.intervalMs;
    this.rng = new Rng(hashSeed(opts.seed, 'motion', deviceId));
    this.seq = opts.startSeq ?? 1;
    this.ts = opts.startTs;
  }

  get nextTs(): number {
    return this.ts;
  }

  get generated(): number {
    return this.count;
  }

  next(opts: NextOptions = {}): R {
    if (opts.ts !== undefined) {
      if (opts.ts <= this.lastTs)
        throw new Error(`ts ${opts.ts} is not after the previous record's ${this.lastTs}`);
      this.ts = opts.ts;
    }
    const record = this.record(this.seq, this.ts, opts.last ?? false, this.count === 0);
    this.lastTs = this.ts;
    this.count++;
    this.seq = this.seq >= PROTOCOL_LIMITS.maxSeq ? 0 : this.seq + 1;
    this.ts += this.intervalMs;
    return record;
  }

  protected abstract record(seq: number, ts: number, last: boolean, first: boolean): R;

  /** Position fix error: a few metres in a random direction, bounded by the reported accuracy. */
  protected noisy(at: LngLat, accM: number): LngLat {
    const d = this.rng.range(0, accM * 0.3);
    const c = destination(at, d, this.rng.range(-180, 180), { units: 'meters' }).geometry.coordinates;
    return [c[0], c[1]];
  }
}

interface LegGeom {
  line: Feature<LineString>;
  startM: number;
  lengthM: number;
  ops: boolean;
  /** Cumulative length at the end of each segment of the leg, and the segment's bearing in driving order. */
  segEnds: number[];
  segBearings: number[];
}

type VehiclePhase = { kind: 'drive' } | { kind: 'stop' | 'collect' | 'parked'; ticks: number };

/**
 * A vehicle drives its route back and forth (to the end, then back to its depot). Speed follows the leg: slow while
 * operating, faster when transferring; it stops now and then at lights, a refuse truck stops to collect bins with
 * its lift on, and rarely the driver parks with the ignition off.
 */
export class VehicleModel extends BaseModel<GpsRecord> {
  readonly kind = 'gps' as const;
  readonly vehicleType: VehicleType;
  private readonly legs: LegGeom[];
  private readonly totalM: number;
  private s: number;
  private dir: 1 | -1;
  private spd = 0;
  private regime: 'ops' | 'transfer' | null = null;
  private phase: VehiclePhase = { kind: 'drive' };

  readonly route: Route;

  constructor(deviceId: string, opts: VehicleOptions) {
    super(deviceId, opts);
    this.route = opts.route;
    this.vehicleType = opts.route.vehicleType;
    let startM = 0;
    this.legs = opts.route.legs.map((leg) => {
      const segEnds: number[] = [];
      const segBearings: number[] = [];
      let acc = 0;
      for (let i = 1; i < leg.coords.length; i++) {
        acc += distance(leg.coords[i - 1], leg.coords[i], { units: 'meters' });
        segEnds.push(acc);
        segBearings.push(bearing(leg.coords[i - 1], leg.coords[i]));
      }
      const g: LegGeom = {
        line: lineString(leg.coords),
        startM,
        lengthM: acc,
        ops: leg.ops,
        segEnds,
        segBearings,
      };
      startM += acc;
      return g;
    });
    this.totalM = startM;
    this.s = this.rng.range(0, this.totalM);
    this.dir = this.rng.chance(0.5) ? 1 : -1;
  }

  /** Distance driven along the route (metres from its start) and the driving direction: for tests and maps. */
  get position(): { alongM: number; dir: 1 | -1 } {
    return { alongM: this.s, dir: this.dir };
  }

  private legAt(s: number): LegGeom {
    let lo = 0;
    let hi = this.legs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.legs[mid].startM <= s) lo = mid;
      else hi = mid - 1;
    }
    return this.legs[lo];
  }

  protected record(seq: number, ts: number): GpsRecord {
    const leg = this.legAt(this.s);
    const offsetM = Math.min(Math.max(this.s - leg.startM, 0), leg.lengthM);
    const segIdx = Math.max(
      0,
      leg.segEnds.findIndex((end) => offsetM <= end),
    );
    const roadBearing = leg.segBearings[segIdx] + (this.dir === 1 ? 0 : 180);
    const at = along(leg.line, offsetM, { units: 'meters' }).geometry.coordinates as LngLat;

    this.step(leg);
    const moving = this.phase.kind === 'drive';
    const speeds = SPEEDS[this.vehicleType];
    const regime = leg.ops ? 'ops' : 'transfer';
    if (moving) {
      const [lo, hi] = speeds[regime];
      // Speed drifts within the leg's regime and jumps when the regime changes (brushes down or up).
      this.spd =
        this.regime === regime && this.spd > 0
          ? Math.min(hi, Math.max(lo, this.spd + this.rng.range(-3, 3)))
          : this.rng.range(lo, hi);
      this.regime = regime;
    } else {
      this.spd = 0;
      this.regime = null;
    }

    const acc = this.rng.int(3, 10);
    const [lng, lat] = this.noisy(at, acc);
    const record: GpsRecord = {
      seq,
      ts,
      lat: r6(lat),
      lng: r6(lng),
      spd: r1(this.spd),
      hdg: Math.round(((roadBearing % 360) + 360) % 360) % 360,
      acc,
      ign: this.phase.kind !== 'parked',
      ops: this.equipment(moving && leg.ops, this.phase.kind === 'collect'),
    };
    if (moving) this.advance((this.spd / 3.6) * (this.intervalMs / 1000));
    return record;
  }

  private equipment(operating: boolean, collecting: boolean): OperatingEquipment {
    switch (this.vehicleType) {
      case 'sweeper':
        return { sweep: operating, spray: operating }; // sweepers wet the road to keep the dust down
      case 'washer':
        return { spray: operating };
      case 'refuse':
        return { lift: collecting };
    }
  }

  /** Decides whether this record is stopped (and for how long) or driving. */
  private step(leg: LegGeom): void {
    if (this.phase.kind !== 'drive') {
      if (--this.phase.ticks > 0) return;
      this.phase = { kind: 'drive' };
    }
    // Chances per record, scaled to the interval so that a 30 s terminal does not stop six times as often as a 5 s one.
    const perMinute = this.intervalMs / 60_000;
    const ticksFor = (ms: number) => Math.max(1, Math.round(ms / this.intervalMs));
    if (this.vehicleType === 'refuse' && leg.ops && this.rng.chance(0.5 * perMinute))
      this.phase = { kind: 'collect', ticks: ticksFor(this.rng.range(20_000, 90_000)) };
    else if (this.rng.chance(0.5 * perMinute))
      this.phase = { kind: 'stop', ticks: ticksFor(this.rng.range(10_000, 60_000)) };
    else if (this.rng.chance(0.01 * perMinute))
      this.phase = { kind: 'parked', ticks: ticksFor(this.rng.range(120_000, 600_000)) };
  }

  /** Moves along the route, turning round at either end. */
  private advance(m: number): void {
    let s = this.s + this.dir * m;
    for (let i = 0; i < 8 && (s < 0 || s > this.totalM); i++) {
      if (s > this.totalM) {
        s = 2 * this.totalM - s;
        this.dir = -1;
      } else {
        s = -s;
        this.dir = 1;
      }
    }
    this.s = Math.min(Math.max(s, 0), this.totalM);
  }
}

/**
 * A worker's badge walks inside its zone between random waypoints at walking pace, pausing now and then. It clocks in
 * with its first record, sends heartbeats, and clocks out with its last; the battery drains a few percent an hour.
 */
export class BadgeModel extends BaseModel<BadgeRecord> {
  readonly kind = 'badge' as const;
  readonly zone: Zone;
  private readonly poly: Feature<Polygon>;
  private readonly box: BBox;
  private pos: LngLat;
  private waypoint: LngLat;
  private readonly walkKmh: number;
  private pauseTicks = 0;
  private bat: number;
  private readonly drainPerTick: number;
  private readonly sosRate: number;

  constructor(deviceId: string, opts: BadgeOptions) {
    super(deviceId, opts);
    this.zone = opts.zone;
    this.poly = zonePolygon(opts.zone);
    this.box = bbox(this.poly);
    this.pos = this.randomPointInZone();
    this.waypoint = this.randomPointInZone();
    this.walkKmh = this.rng.range(2.5, 5);
    this.bat = this.rng.int(60, 100);
    this.drainPerTick = (this.rng.range(2, 6) * opts.intervalMs) / 3_600_000;
    this.sosRate = opts.sosRate ?? 0;
  }

  /** True position (before fix noise): for tests. */
  get truePosition(): LngLat {
    return this.pos;
  }

  private inside(p: LngLat): boolean {
    return booleanPointInPolygon(p, this.poly);
  }

  private randomPointInZone(): LngLat {
    const [w, s, e, n] = this.box;
    for (let i = 0; i < 1000; i++) {
      const p: LngLat = [r6(this.rng.range(w, e)), r6(this.rng.range(s, n))];
      if (this.inside(p)) return p;
    }
    // Unreachable for grid cells (they fill most of their box); a corner of the ring is inside by definition.
    return this.zone.ring[0];
  }

  protected record(seq: number, ts: number, last: boolean, first: boolean): BadgeRecord {
    const acc = this.rng.int(5, 25);
    const fix = this.noisy(this.pos, acc);
    // Fix noise must not put a worker off post who is on post: report the true position if it would.
    const [lng, lat] = this.inside([r6(fix[0]), r6(fix[1])]) ? fix : this.pos;
    const evt: BadgeEvent = first ? 'in' : last ? 'out' : this.rng.chance(this.sosRate) ? 'sos' : 'hb';
    const record: BadgeRecord = {
      seq,
      ts,
      lat: r6(lat),
      lng: r6(lng),
      acc,
      bat: Math.max(1, Math.round(this.bat)),
      evt,
    };
    this.bat = Math.max(1, this.bat - this.drainPerTick);
    this.walk();
    return record;
  }

  private walk(): void {
    if (this.pauseTicks > 0) {
      this.pauseTicks--;
      return;
    }
    const stepM = (this.walkKmh / 3.6) * (this.intervalMs / 1000);
    const left = distance(this.pos, this.waypoint, { units: 'meters' });
    if (left <= stepM) {
      this.pos = this.waypoint;
      this.waypoint = this.randomPointInZone();
      if (this.rng.chance(0.3))
        this.pauseTicks = this.rng.int(1, Math.max(1, Math.round(300_000 / this.intervalMs)));
      return;
    }
    const c = destination(this.pos, stepM, bearing(this.pos, this.waypoint), { units: 'meters' }).geometry
      .coordinates;
    const next: LngLat = [c[0], c[1]];
    // Zones need not be convex: if the straight line leaves the zone, stay and head somewhere else.
    if (this.inside([r6(next[0]), r6(next[1])])) this.pos = next;
    else this.waypoint = this.randomPointInZone();
  }
}

export interface DeviceSpec {
  deviceId: string;
  kind: DeviceKind;
}

/**
 * The model for the index-th device of its kind: vehicles take the world's routes in turn (starting at a random
 * point of it), badges its zones in turn.
 */
export function createDeviceModel(
  world: World,
  device: DeviceSpec,
  indexOfKind: number,
  opts: ModelOptions & { sosRate?: number },
): VehicleModel | BadgeModel {
  if (device.kind === 'gps') {
    if (world.routes.length === 0) throw new Error('the world has no routes');
    return new VehicleModel(device.deviceId, {
      ...opts,
      route: world.routes[indexOfKind % world.routes.length],
    });
  }
  if (world.zones.length === 0) throw new Error('the world has no zones');
  return new BadgeModel(device.deviceId, { ...opts, zone: world.zones[indexOfKind % world.zones.length] });
}
