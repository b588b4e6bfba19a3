import { createHash } from 'node:crypto';
import { decodeMessage, type DeviceStatus, type TelemetryPoint } from '@dwg/contracts';
import type { JournalEntry } from '../journal/redis-journal';

export interface DeadLetter {
  /** Derived from the message and the record's position, so a redelivered bad message is kept once. */
  _id: string;
  topic: string;
  deviceId: string | null;
  channel: string | null;
  reason: string;
  index: number | null;
  /** The rejected record as JSON text (a record may hold keys MongoDB cannot store, such as "$where"). */
  record?: string;
  /** The whole raw payload, exactly as received. */
  payload: Buffer;
  payloadBytes: number;
  receivedAt: Date;
}

export interface StatusChange {
  deviceId: string;
  status: DeviceStatus;
  at: Date;
}

export interface Batch {
  entryIds: string[];
  points: TelemetryPoint[];
  deadLetters: DeadLetter[];
  statuses: StatusChange[];
  /** Newest point of each device in this batch, for the device's last state. */
  latest: Map<string, TelemetryPoint>;
  /** Time of the newest message of each device, whatever its content. */
  lastSeen: Map<string, Date>;
}

/** Turns journal entries into what is stored: accepted points, dead letters, status changes and last states. */
export function buildBatch(entries: JournalEntry[], lateAfterMs: number): Batch {
  const batch: Batch = {
    entryIds: [],
    points: [],
    deadLetters: [],
    statuses: [],
    latest: new Map(),
    lastSeen: new Map(),
  };
  for (const entry of entries) {
    batch.entryIds.push(entry.id);
    const decoded = decodeMessage(entry.topic, entry.payload, { receivedAt: entry.receivedAt, lateAfterMs });
    if (decoded.deviceId) {
      const seen = batch.lastSeen.get(decoded.deviceId);
      if (!seen || seen < entry.receivedAt) batch.lastSeen.set(decoded.deviceId, entry.receivedAt);
    }
    for (const p of decoded.points) {
      batch.points.push(p);
      const prev = batch.latest.get(p.deviceId);
      if (!prev || prev.ts < p.ts) batch.latest.set(p.deviceId, p);
    }
    if (decoded.status && decoded.deviceId) {
      batch.statuses.push({ deviceId: decoded.deviceId, status: decoded.status, at: entry.receivedAt });
    }
    if (decoded.rejections.length) {
      const digest = createHash('sha1').update(entry.topic).update('\0').update(entry.payload).digest('hex');
      for (const r of decoded.rejections) {
        batch.deadLetters.push({
          _id: `${digest}:${r.index ?? 'msg'}`,
          topic: entry.topic,
          deviceId: decoded.deviceId,
          channel: decoded.channel,
          reason: r.reason,
          index: r.index,
          ...(r.record !== undefined ? { record: JSON.stringify(r.record) } : {}),
          payload: entry.payload,
          payloadBytes: entry.payload.length,
          receivedAt: entry.receivedAt,
        });
      }
    }
  }
  return batch;
}
