import type { OperatingEquipment } from '@dwg/contracts';

/** What the live map colours a device by. */
export const LIVE_STATUSES = ['working', 'idle', 'offline', 'alarm'] as const;
export type LiveStatusName = (typeof LIVE_STATUSES)[number];

export interface StatusInput {
  /** Newest message of any kind from the device (epoch ms), null if never seen. */
  lastSeenAt: number | null;
  /** Time of the newest fix (epoch ms). */
  lastFixAt: number | null;
  /** The last status message (online/offline, e.g. the broker's will message). */
  reported?: { online: boolean; at: number } | null;
  spd?: number;
  ops?: OperatingEquipment;
  openAlarms: number;
}

export interface StatusOptions {
  /** Not seen for longer than this: offline. */
  offlineAfterMs: number;
  /** At or above this speed (km/h) a device counts as moving. */
  movingKmh: number;
}

/**
 * Status of a device on the live map, most urgent first: an open alarm wins over everything (a dispatcher must see
 * it even when the device went silent), then offline (silent for too long, or it said so after its last fix), then
 * working (moving or an operation switched on: sweep, spray, lift), else idle.
 */
export function deriveStatus(s: StatusInput, now: number, o: StatusOptions): LiveStatusName {
  if (s.openAlarms > 0) return 'alarm';
  if (s.lastSeenAt === null || now - s.lastSeenAt > o.offlineAfterMs) return 'offline';
  if (s.reported && !s.reported.online && s.reported.at >= (s.lastFixAt ?? 0)) return 'offline';
  if ((s.spd ?? 0) >= o.movingKmh) return 'working';
  if (s.ops && (s.ops.sweep || s.ops.spray || s.ops.lift)) return 'working';
  return 'idle';
}
