/**
 * Device status on the live map. The live stream reports positions and alarms; the console derives the status
 * itself so offline devices turn grey even when nothing more arrives.
 */
export type DeviceStatus = 'working' | 'idle' | 'offline' | 'alarm';

export const STATUS_COLORS: Record<DeviceStatus, string> = {
  working: '#2e7d32',
  idle: '#f9a825',
  offline: '#9e9e9e',
  alarm: '#d32f2f',
};

/** No report for this long = offline (badges report every 30 s, GPS every 10 s; a few misses are tolerated). */
export const OFFLINE_AFTER_MS = 3 * 60_000;
/** Slower than this (km/h) = not moving. */
export const MOVING_KMH = 3;

export interface LiveDevice {
  id: string;
  kind?: 'gps' | 'badge' | string;
  lng: number;
  lat: number;
  /** Epoch ms of the last position. */
  at: number;
  speedKmh?: number;
  battery?: number;
  /** Status as the api says it, when it does. */
  status?: string;
  /** Open alarms of this device. */
  alarms?: number;
  onTask?: boolean;
  [k: string]: unknown;
}

export function deviceStatus(d: LiveDevice, now: number): DeviceStatus {
  if ((d.alarms ?? 0) > 0 || d.status === 'alarm') return 'alarm';
  if (now - d.at > OFFLINE_AFTER_MS || d.status === 'offline') return 'offline';
  if (d.status === 'working' || d.status === 'idle') return d.status;
  if ((d.speedKmh ?? 0) >= MOVING_KMH || d.onTask) return 'working';
  return 'idle';
}

export function countByStatus(devices: Iterable<LiveDevice>, now: number): Record<DeviceStatus, number> {
  const out: Record<DeviceStatus, number> = { working: 0, idle: 0, offline: 0, alarm: 0 };
  for (const d of devices) out[deviceStatus(d, now)]++;
  return out;
}
