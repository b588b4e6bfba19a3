import type { LiveDevice } from './status';

/**
 * The live snapshot (`GET /api/live/snapshot` → `{at, offlineAfterS, items}`) carries items like
 * `{deviceId, kind, subject, position: {lng, lat}, speed, battery, fixAt, status, taskId, openAlarms}`; the stream's
 * `position` event carries `{positions: [{deviceId, ts, lng, lat, spd, hdg, bat, status, openAlarms}]}` (epoch ms)
 * and its `status` event `{statuses: [{deviceId, online, at}]}` (docs/api.md). These functions turn any of them into
 * one LiveDevice and merge updates into a Map in place, so the map moves markers instead of rebuilding them.
 */
type Raw = Record<string, unknown>;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function time(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export function liveItemsOf(body: unknown): Raw[] {
  if (Array.isArray(body)) return body as Raw[];
  if (body && typeof body === 'object') {
    const b = body as Raw;
    for (const k of ['items', 'positions', 'statuses', 'devices', 'data'])
      if (Array.isArray(b[k])) return b[k] as Raw[];
    if (b.deviceId || b.id) return [b];
  }
  return [];
}

/** One live item as a partial LiveDevice (only the fields it carries), or null without a device id. */
export function normaliseLive(raw: Raw): (Partial<LiveDevice> & { id: string }) | null {
  const id = (raw.deviceId ?? raw.id) as string | undefined;
  if (typeof id !== 'string' || !id) return null;
  const out: Partial<LiveDevice> & { id: string } = { id };
  const pos = (raw.position ?? raw.loc ?? null) as Raw | null;
  let lng = num(raw.lng);
  let lat = num(raw.lat);
  if (pos && typeof pos === 'object') {
    if (Array.isArray((pos as Raw).coordinates)) {
      const c = (pos as { coordinates: number[] }).coordinates;
      [lng, lat] = [c[0], c[1]];
    } else {
      lng = num(pos.lng) ?? lng;
      lat = num(pos.lat) ?? lat;
    }
  }
  if (lng !== undefined && lat !== undefined) {
    out.lng = lng;
    out.lat = lat;
  }
  // `at` is the time of the position: a status message's `at` is not one.
  const at = time(raw.fixAt ?? raw.ts ?? raw.lastFixAt ?? (out.lng !== undefined ? raw.at : undefined));
  if (at !== undefined) out.at = at;
  const speed = num(raw.speed ?? raw.spd ?? raw.speedKmh);
  if (speed !== undefined) out.speedKmh = speed;
  const battery = num(raw.battery ?? raw.bat);
  if (battery !== undefined) out.battery = battery;
  const heading = num(raw.heading ?? raw.hdg);
  if (heading !== undefined) out.heading = heading;
  if (typeof raw.kind === 'string') out.kind = raw.kind;
  if (typeof raw.status === 'string') out.status = raw.status;
  // The stream's status event: offline at once; back online waits for the next fix, which carries its status.
  else if (raw.online === false) out.status = 'offline';
  const alarms = num(raw.openAlarms ?? raw.alarms);
  if (alarms !== undefined) out.alarms = alarms;
  if ('taskId' in raw) {
    out.taskId = raw.taskId ?? null;
    out.onTask = !!raw.taskId;
  }
  for (const k of ['subject', 'contractId', 'zoneId', 'teamId', 'lastSeenAt']) {
    if (k in raw) out[k] = raw[k];
  }
  return out;
}

/**
 * Merges items into the map; returns the ids whose marker must be redrawn. A position older than the one held is
 * ignored (the stream may deliver a late record after a newer one), other fields still apply.
 */
export function mergeLive(state: Map<string, LiveDevice>, items: Raw[]): string[] {
  const changed: string[] = [];
  for (const raw of items) {
    const n = normaliseLive(raw);
    if (!n) continue;
    const prev = state.get(n.id);
    if (!prev) {
      if (n.lng === undefined || n.lat === undefined) continue;
      state.set(n.id, { at: 0, ...n } as LiveDevice);
      changed.push(n.id);
      continue;
    }
    const stale = n.at !== undefined && n.at < prev.at;
    const next = { ...prev, ...n };
    if (stale) {
      next.lng = prev.lng;
      next.lat = prev.lat;
      next.at = prev.at;
    }
    state.set(n.id, next);
    changed.push(n.id);
  }
  return changed;
}
