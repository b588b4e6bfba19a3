import type { OperatingEquipment } from './protocol';

/**
 * The live path: after each stored batch, ingest publishes the newest fix of each device in it (and any status
 * change) as one Redis pub/sub message on `liveChannel(REDIS_PREFIX)`; the api fans it out to its SSE clients.
 * Pub/sub is fire-and-forget on purpose: a missed message is superseded by the device's next fix, and the
 * durable state stays in `telemetry` and `device_state`.
 */
export const liveChannel = (redisPrefix: string) => `${redisPrefix}:live`;

export interface LivePosition {
  deviceId: string;
  kind: 'gps' | 'badge';
  /** Fix time and the time ingest received the message, epoch ms. */
  ts: number;
  receivedAt: number;
  lng: number;
  lat: number;
  spd?: number;
  hdg?: number;
  bat?: number;
  ign?: boolean;
  ops?: OperatingEquipment;
  evt?: string;
}

export interface LiveStatus {
  deviceId: string;
  online: boolean;
  at: number;
}

export interface LiveBatch {
  v: 1;
  /** When ingest published, epoch ms. */
  publishedAt: number;
  positions: LivePosition[];
  statuses: LiveStatus[];
}
