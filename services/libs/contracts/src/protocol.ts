/** Device protocol v1 record shapes as devices send them (see docs/protocol.md). */
export type DeviceKind = 'gps' | 'badge';
export const DEVICE_KINDS: readonly DeviceKind[] = ['gps', 'badge'];

export interface OperatingEquipment {
  sweep?: boolean;
  spray?: boolean;
  lift?: boolean;
}

export interface GpsRecord {
  seq: number;
  ts: number;
  lat: number;
  lng: number;
  spd: number;
  hdg: number;
  acc?: number;
  ign?: boolean;
  ops?: OperatingEquipment;
}

export type BadgeEvent = 'hb' | 'in' | 'out' | 'sos';
export const BADGE_EVENTS: readonly BadgeEvent[] = ['hb', 'in', 'out', 'sos'];

export interface BadgeRecord {
  seq: number;
  ts: number;
  lat: number;
  lng: number;
  acc?: number;
  bat?: number;
  evt?: BadgeEvent;
}

export type DeviceStatus = 'online' | 'offline';

export const PROTOCOL_LIMITS = {
  /** A device that was offline uploads what it stored, at most this many records per message. */
  maxRecordsPerMessage: 500,
  maxPayloadBytes: 256 * 1024,
  /** Records stamped further in the future than this are impossible (clock skew or corruption). */
  maxFutureSkewMs: 5 * 60 * 1000,
  /** Sequence numbers are unsigned 32-bit on the terminals we target; they wrap after this. */
  maxSeq: 0xffffffff,
} as const;
