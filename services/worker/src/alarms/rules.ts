import type { AlarmType } from '@dwg/contracts';
import { LocalProjection } from '../evidence/geo';

/** Alarm thresholds; each contract may override any of them (contract.rules.alarms). */
export interface AlarmRules {
  /** Types switched off for the contract. */
  disabled: AlarmType[];
  /** A vehicle outside its shift's zone this long raises zone_exit. */
  zoneExitMin: number;
  /** A badge outside its post's zone this long raises off_post (离岗). */
  offPostMin: number;
  /** Speed limit by vehicle type (km/h); `default` for other types. */
  overspeedKmh: Record<string, number>;
  /** Over the limit for this long raises overspeed (a single fast fix is noise). */
  overspeedS: number;
  /** A vehicle on shift slower than stoppedKmh this long raises stopped_too_long. */
  stoppedMin: number;
  stoppedKmh: number;
  /** A device on shift silent this long raises device_offline. */
  offlineMin: number;
  /** Battery at or below this raises low_battery; at or above clearPct clears it. */
  lowBatteryPct: number;
  lowBatteryClearPct: number;
  /** A badge moving at least this fast for this long is riding in a vehicle (badge_in_vehicle). */
  badgeVehicleKmh: number;
  badgeVehicleMin: number;
}

export const DEFAULT_ALARM_RULES: AlarmRules = {
  disabled: [],
  zoneExitMin: 5,
  offPostMin: 15,
  overspeedKmh: {
    sweeper: 30,
    washer: 40,
    sprinkler: 40,
    compactor_truck: 50,
    patrol_car: 60,
    pickup: 60,
    default: 60,
  },
  overspeedS: 30,
  stoppedMin: 30,
  stoppedKmh: 2,
  offlineMin: 10,
  lowBatteryPct: 20,
  lowBatteryClearPct: 30,
  badgeVehicleKmh: 15,
  badgeVehicleMin: 5,
};

/** Defaults overlaid with a contract's overrides; unknown keys are ignored here (the api refuses them). */
export function resolveAlarmRules(input?: Record<string, unknown> | null): AlarmRules {
  const out = structuredClone(DEFAULT_ALARM_RULES);
  if (!input) return out;
  for (const [k, v] of Object.entries(input)) {
    if (!(k in out) || v === undefined || v === null) continue;
    if (k === 'overspeedKmh' && typeof v === 'object')
      out.overspeedKmh = { ...out.overspeedKmh, ...(v as Record<string, number>) };
    else (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** A record as the alarm rules see it. */
export interface AlarmPoint {
  ts: number;
  lng: number;
  lat: number;
  spd?: number;
  bat?: number;
  evt?: string;
}

/** What the device is on duty for at a time: its task and the zone it must stay in. */
export interface Duty {
  taskId: string;
  /** Point-in-zone test; null when the duty has no zone. */
  inZone: ((lng: number, lat: number) => boolean) | null;
}

export interface DeviceContext {
  deviceId: string;
  kind: 'gps' | 'badge';
  vehicleType?: string;
  dutyAt(ts: number): Duty | null;
}

/** Per-device memory between batches: when each ongoing condition began. */
export interface DeviceAlarmState {
  lastTs?: number;
  lastLng?: number;
  lastLat?: number;
  /** Zone rule, per duty task: newest record inside, newest outside, start of the current outside episode. */
  zoneTask?: string | null;
  lastInside?: number | null;
  lastOutside?: number | null;
  outsideSince?: number | null;
  overSince?: number | null;
  stoppedSince?: number | null;
  stoppedTask?: string | null;
  fastSince?: number | null;
}

export interface AlarmSignal {
  /** One open alarm per key: the condition and what it is about. */
  key: string;
  type: AlarmType;
  deviceId: string;
  taskId: string | null;
  at: [number, number] | null;
  ts: number;
  message: string;
}

export type AlarmEvent = { op: 'raise'; signal: AlarmSignal } | { op: 'clear'; key: string; ts: number };

export const alarmKey = (type: AlarmType, about: string) => `${type}|${about}`;

const MIN = 60_000;

/** Ground speed between two fixes (km/h), for badges that report no speed. */
function speedKmh(a: { lng: number; lat: number; ts: number }, b: { lng: number; lat: number; ts: number }) {
  const proj = new LocalProjection([a.lng, a.lat]);
  const dx = proj.x(b.lng);
  const dy = proj.y(b.lat);
  const h = (b.ts - a.ts) / 3_600_000;
  return h > 0 ? Math.hypot(dx, dy) / 1000 / h : 0;
}

/**
 * Runs a device's records (any order; sorted here) through the rules. Stateless rules (SOS, battery) see every
 * record; stateful ones (zone, speed, stop, riding) only records newer than the state's last, so a late upload
 * cannot reopen a condition that has since cleared. Returns the new state and raise/clear events in time order.
 */
export function evaluateDevice(
  ctx: DeviceContext,
  rules: AlarmRules,
  prev: DeviceAlarmState,
  points: readonly AlarmPoint[],
): { state: DeviceAlarmState; events: AlarmEvent[] } {
  const st: DeviceAlarmState = { ...prev };
  const events: AlarmEvent[] = [];
  const on = (t: AlarmType) => !rules.disabled.includes(t);
  const raise = (type: AlarmType, about: string, taskId: string | null, p: AlarmPoint, message: string) => {
    if (on(type))
      events.push({
        op: 'raise',
        signal: {
          key: alarmKey(type, about),
          type,
          deviceId: ctx.deviceId,
          taskId,
          at: [p.lng, p.lat],
          ts: p.ts,
          message,
        },
      });
  };
  const clear = (type: AlarmType, about: string, ts: number) =>
    events.push({ op: 'clear', key: alarmKey(type, about), ts });

  for (const p of [...points].sort((a, b) => a.ts - b.ts)) {
    if (p.evt === 'sos') raise('sos', ctx.deviceId, null, p, `${ctx.deviceId} 发出 SOS 求助`);
    if (p.bat !== undefined) {
      if (p.bat <= rules.lowBatteryPct)
        raise('low_battery', ctx.deviceId, null, p, `${ctx.deviceId} 电量低：${p.bat}%`);
      else if (p.bat >= rules.lowBatteryClearPct) clear('low_battery', ctx.deviceId, p.ts);
    }
    // Zone: a vehicle leaving its shift's zone (zone_exit) or a worker leaving their post (off_post). Folded
    // with min/max like the evidence, so batches of one device evaluated out of order reach the same episode.
    const duty = ctx.dutyAt(p.ts);
    if (duty?.inZone && (st.zoneTask === duty.taskId || st.lastTs === undefined || p.ts > st.lastTs)) {
      const zoneType: AlarmType = ctx.kind === 'badge' ? 'off_post' : 'zone_exit';
      const zoneMs = (ctx.kind === 'badge' ? rules.offPostMin : rules.zoneExitMin) * MIN;
      if (st.zoneTask !== duty.taskId) {
        if (st.zoneTask && st.outsideSince != null) clear(zoneType, st.zoneTask, p.ts);
        st.zoneTask = duty.taskId;
        st.lastInside = st.lastOutside = st.outsideSince = null;
      }
      if (duty.inZone(p.lng, p.lat)) {
        st.lastInside = Math.max(st.lastInside ?? p.ts, p.ts);
        if (st.outsideSince != null && st.lastInside > st.outsideSince) {
          // Inside after the episode began: if a newer record is outside, the worker left again right after
          // this one (the episode is shortened, never lengthened); otherwise they are back and it clears.
          if ((st.lastOutside ?? -Infinity) > st.lastInside) st.outsideSince = st.lastInside;
          else {
            clear(zoneType, duty.taskId, p.ts);
            st.outsideSince = null;
          }
        }
      } else {
        st.lastOutside = Math.max(st.lastOutside ?? p.ts, p.ts);
        if (st.lastInside == null || p.ts > st.lastInside)
          st.outsideSince = Math.min(st.outsideSince ?? p.ts, p.ts);
        if (st.outsideSince != null && st.lastOutside - st.outsideSince >= zoneMs)
          raise(
            zoneType,
            duty.taskId,
            duty.taskId,
            p,
            `${ctx.deviceId} ${zoneType === 'off_post' ? '离岗' : '驶出作业区域'} ${Math.round((st.lastOutside - st.outsideSince) / MIN)} 分钟`,
          );
      }
    }

    if (st.lastTs !== undefined && p.ts <= st.lastTs) continue;
    const prevFix =
      st.lastTs !== undefined && st.lastLng !== undefined && st.lastLat !== undefined
        ? { ts: st.lastTs, lng: st.lastLng, lat: st.lastLat }
        : null;
    if (ctx.kind === 'gps') {
      const spd = p.spd ?? (prevFix ? speedKmh(prevFix, p) : 0);
      const limit = rules.overspeedKmh[ctx.vehicleType ?? 'default'] ?? rules.overspeedKmh.default;
      if (spd > limit) {
        st.overSince ??= p.ts;
        if (p.ts - st.overSince >= rules.overspeedS * 1000)
          raise(
            'overspeed',
            ctx.deviceId,
            duty?.taskId ?? null,
            p,
            `${ctx.deviceId} 超速：${spd} km/h（限速 ${limit}）`,
          );
      } else if (st.overSince != null) {
        st.overSince = null;
        clear('overspeed', ctx.deviceId, p.ts);
      }
      if (duty && spd < rules.stoppedKmh) {
        if (st.stoppedSince == null || st.stoppedTask !== duty.taskId) {
          st.stoppedSince = p.ts;
          st.stoppedTask = duty.taskId;
        }
        if (p.ts - st.stoppedSince >= rules.stoppedMin * MIN)
          raise(
            'stopped_too_long',
            duty.taskId,
            duty.taskId,
            p,
            `${ctx.deviceId} 作业时段内停留 ${Math.round((p.ts - st.stoppedSince) / MIN)} 分钟`,
          );
      } else if (st.stoppedSince != null) {
        if (st.stoppedTask) clear('stopped_too_long', st.stoppedTask, p.ts);
        st.stoppedSince = null;
        st.stoppedTask = null;
      }
    } else if (prevFix && p.ts - prevFix.ts <= 10 * MIN) {
      // A badge moving at vehicle speed: its wearer rides instead of working the street.
      const v = speedKmh(prevFix, p);
      if (v >= rules.badgeVehicleKmh) {
        st.fastSince ??= prevFix.ts;
        if (p.ts - st.fastSince >= rules.badgeVehicleMin * MIN)
          raise(
            'badge_in_vehicle',
            ctx.deviceId,
            duty?.taskId ?? null,
            p,
            `${ctx.deviceId} 以 ${Math.round(v)} km/h 移动 ${Math.round((p.ts - st.fastSince) / MIN)} 分钟（疑似胸牌随车）`,
          );
      } else if (st.fastSince != null) {
        st.fastSince = null;
        clear('badge_in_vehicle', ctx.deviceId, p.ts);
      }
    }
    st.lastTs = p.ts;
    st.lastLng = p.lng;
    st.lastLat = p.lat;
  }
  return { state: st, events };
}

export interface OnDuty {
  deviceId: string;
  taskId: string;
  windowStart: number;
  offlineMin: number;
  disabled: boolean;
}

/**
 * Periodic sweep: a device on duty that has been silent longer than offlineMin (counted from the shift's start
 * if it never reported) is offline; one that reported since is cleared.
 */
export function offlineEvents(
  onDuty: readonly OnDuty[],
  lastSeen: ReadonlyMap<string, number>,
  now: number,
): AlarmEvent[] {
  const out: AlarmEvent[] = [];
  const seen = new Set<string>();
  for (const d of onDuty) {
    if (seen.has(d.deviceId) || d.disabled) continue;
    seen.add(d.deviceId);
    const last = Math.max(lastSeen.get(d.deviceId) ?? 0, d.windowStart);
    const silentMs = now - last;
    if (silentMs >= d.offlineMin * MIN)
      out.push({
        op: 'raise',
        signal: {
          key: alarmKey('device_offline', d.deviceId),
          type: 'device_offline',
          deviceId: d.deviceId,
          taskId: d.taskId,
          at: null,
          ts: now,
          message: lastSeen.has(d.deviceId)
            ? `${d.deviceId} 当班离线 ${Math.round(silentMs / MIN)} 分钟`
            : `${d.deviceId} 自班次开始未上报`,
        },
      });
    else if (lastSeen.has(d.deviceId))
      out.push({ op: 'clear', key: alarmKey('device_offline', d.deviceId), ts: now });
  }
  return out;
}
