import { parseTopic, type Channel } from './topics';
import {
  BADGE_EVENTS,
  PROTOCOL_LIMITS,
  type BadgeEvent,
  type DeviceKind,
  type DeviceStatus,
  type OperatingEquipment,
} from './protocol';

/** A validated record in the shape it is stored in (coordinates as GeoJSON [lng, lat], WGS-84). */
export interface TelemetryPoint {
  deviceId: string;
  kind: DeviceKind;
  seq: number;
  ts: Date;
  receivedAt: Date;
  loc: { type: 'Point'; coordinates: [number, number] };
  late: boolean;
  acc?: number;
  spd?: number;
  hdg?: number;
  ign?: boolean;
  ops?: OperatingEquipment;
  bat?: number;
  evt?: BadgeEvent;
}

export interface Rejection {
  reason: string;
  /** Position of the record in an array payload; null when the whole message is rejected. */
  index: number | null;
  record?: unknown;
}

export interface DecodedMessage {
  deviceId: string | null;
  channel: Channel | null;
  points: TelemetryPoint[];
  status: DeviceStatus | null;
  rejections: Rejection[];
}

export interface DecodeOptions {
  receivedAt: Date;
  /** Records older than receivedAt minus this are accepted and marked late. */
  lateAfterMs: number;
}

const OPS_KEYS = ['sweep', 'spray', 'lift'] as const;
/** Earliest plausible device clock: anything before is an unset RTC, not a real time. */
const MIN_TS = Date.UTC(2015, 0, 1);

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Decodes one MQTT message of device protocol v1. Never throws: every problem becomes a rejection with a
 * reason a device integrator can act on, and the valid records of the same message are still returned.
 */
export function decodeMessage(topic: string, payload: Buffer, opts: DecodeOptions): DecodedMessage {
  const out: DecodedMessage = { deviceId: null, channel: null, points: [], status: null, rejections: [] };
  const parsed = parseTopic(topic);
  if (!parsed) {
    out.rejections.push({
      reason: `topic "${topic}" is not dwg/v1/{deviceId}/{gps|badge|status}`,
      index: null,
    });
    return out;
  }
  out.deviceId = parsed.deviceId;
  out.channel = parsed.channel;
  if (payload.length > PROTOCOL_LIMITS.maxPayloadBytes) {
    out.rejections.push({
      reason: `payload is ${payload.length} bytes; the limit is ${PROTOCOL_LIMITS.maxPayloadBytes}`,
      index: null,
    });
    return out;
  }
  const text = payload.toString('utf8');
  if (parsed.channel === 'status') {
    const status = decodeStatus(text);
    if (status) out.status = status;
    else out.rejections.push({ reason: 'status payload must be "online" or "offline"', index: null });
    return out;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    out.rejections.push({ reason: `payload is not valid JSON: ${(e as Error).message}`, index: null });
    return out;
  }
  const isArray = Array.isArray(body);
  const items: unknown[] = isArray ? (body as unknown[]) : [body];
  if (isArray && items.length === 0) {
    out.rejections.push({ reason: 'payload is an empty array', index: null });
    return out;
  }
  if (items.length > PROTOCOL_LIMITS.maxRecordsPerMessage) {
    out.rejections.push({
      reason: `payload holds ${items.length} records; the limit is ${PROTOCOL_LIMITS.maxRecordsPerMessage}`,
      index: null,
    });
    return out;
  }
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const index = isArray ? i : null;
    const result =
      parsed.channel === 'gps'
        ? decodeGps(item, parsed.deviceId, opts)
        : decodeBadge(item, parsed.deviceId, opts);
    if (typeof result === 'string') {
      out.rejections.push({ reason: result, index, record: item });
      return;
    }
    const key = `${result.seq}:${result.ts.getTime()}`;
    if (seen.has(key)) return; // the same record twice in one upload: stored once, like a redelivery
    seen.add(key);
    out.points.push(result);
  });
  return out;
}

function decodeStatus(text: string): DeviceStatus | null {
  let value: unknown = text.trim();
  if (/^[{"]/.test(value as string)) {
    try {
      const j: unknown = JSON.parse(value as string);
      value = typeof j === 'object' && j !== null ? (j as { status?: unknown }).status : j;
    } catch {
      return null;
    }
  }
  return value === 'online' || value === 'offline' ? value : null;
}

/** Checks the fields common to both record kinds; returns a reason string on the first problem. */
function decodeCommon(
  item: unknown,
  deviceId: string,
  kind: DeviceKind,
  opts: DecodeOptions,
): TelemetryPoint | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'record is not a JSON object';
  const r = item as Record<string, unknown>;
  if (!isInt(r.seq) || r.seq < 0 || r.seq > PROTOCOL_LIMITS.maxSeq)
    return `seq must be an integer from 0 to ${PROTOCOL_LIMITS.maxSeq}`;
  if (!isInt(r.ts)) return 'ts must be an integer (epoch milliseconds, UTC)';
  if (r.ts < MIN_TS) return `ts ${r.ts} is before 2015-01-01: the device clock is not set`;
  const skew = r.ts - opts.receivedAt.getTime();
  if (skew > PROTOCOL_LIMITS.maxFutureSkewMs)
    return `ts is ${Math.round(skew / 1000)} s in the future (limit 300 s)`;
  if (!isNum(r.lat) || r.lat < -90 || r.lat > 90) return 'lat must be a number from -90 to 90';
  if (!isNum(r.lng) || r.lng < -180 || r.lng > 180) return 'lng must be a number from -180 to 180';
  if (r.lat === 0 && r.lng === 0) return 'coordinates 0,0: the receiver has no fix';
  const point: TelemetryPoint = {
    deviceId,
    kind,
    seq: r.seq,
    ts: new Date(r.ts),
    receivedAt: opts.receivedAt,
    loc: { type: 'Point', coordinates: [r.lng, r.lat] },
    late: r.ts < opts.receivedAt.getTime() - opts.lateAfterMs,
  };
  if (r.acc !== undefined) {
    if (!isNum(r.acc) || r.acc < 0) return 'acc must be a non-negative number (metres)';
    point.acc = r.acc;
  }
  return point;
}

function decodeGps(item: unknown, deviceId: string, opts: DecodeOptions): TelemetryPoint | string {
  const point = decodeCommon(item, deviceId, 'gps', opts);
  if (typeof point === 'string') return point;
  const r = item as Record<string, unknown>;
  if (!isNum(r.spd) || r.spd < 0 || r.spd > 300) return 'spd must be a number from 0 to 300 (km/h)';
  if (!isNum(r.hdg) || r.hdg < 0 || r.hdg >= 360) return 'hdg must be a number from 0 to 359 (degrees)';
  point.spd = r.spd;
  point.hdg = r.hdg;
  if (r.ign !== undefined) {
    if (typeof r.ign !== 'boolean') return 'ign must be a boolean';
    point.ign = r.ign;
  }
  if (r.ops !== undefined) {
    if (typeof r.ops !== 'object' || r.ops === null || Array.isArray(r.ops))
      return 'ops must be an object of booleans (sweep, spray, lift)';
    const ops: OperatingEquipment = {};
    for (const k of OPS_KEYS) {
      const v = (r.ops as Record<string, unknown>)[k];
      if (v === undefined) continue;
      if (typeof v !== 'boolean') return `ops.${k} must be a boolean`;
      ops[k] = v;
    }
    point.ops = ops;
  }
  return point;
}

function decodeBadge(item: unknown, deviceId: string, opts: DecodeOptions): TelemetryPoint | string {
  const point = decodeCommon(item, deviceId, 'badge', opts);
  if (typeof point === 'string') return point;
  const r = item as Record<string, unknown>;
  if (r.bat !== undefined) {
    if (!isNum(r.bat) || r.bat < 0 || r.bat > 100) return 'bat must be a number from 0 to 100 (percent)';
    point.bat = r.bat;
  }
  if (r.evt === undefined) point.evt = 'hb';
  else if (typeof r.evt === 'string' && (BADGE_EVENTS as readonly string[]).includes(r.evt))
    point.evt = r.evt as BadgeEvent;
  else return `evt must be one of ${BADGE_EVENTS.join(', ')}`;
  return point;
}
