import type { AlarmChanged, AlarmType, KpiKey, TaskChanged, WorkOrderChanged } from './domain-events';

/**
 * KPI counters (一网统管): what one task, alarm or work order adds to its contract × zone × service line × day.
 * Rollups hold sums of these counters; rates are computed from them at query time (docs/kpis.md), so a month's
 * KPIs are read from a few hundred small documents whatever the telemetry volume. No framework, no database:
 * the worker (writes), the api (reads) and the console share these definitions.
 */
export const ALARM_TYPES: readonly AlarmType[] = [
  'zone_exit',
  'overspeed',
  'stopped_too_long',
  'off_post',
  'device_offline',
  'sos',
  'low_battery',
  'route_missed',
  'badge_in_vehicle',
  'bin_overflow',
];

export const KPI_COUNTERS = [
  // tasks (counted once final)
  'tasksDue',
  'tasksCompleted',
  'tasksOnTime',
  'postShifts',
  'postAttended',
  'postShiftMin',
  'postOnPostMin',
  'postOffPostEpisodes',
  'vehicleShifts',
  'vehicleOnline',
  'routeRequiredM',
  'routeCoveredM',
  'checkpointsRequired',
  'checkpointsVisited',
  'collectionsRequired',
  'collectionsVisited',
  'mgmtSubjects',
  'mgmtReported',
  // work orders
  'woReceived',
  'woClosed',
  'woFixed',
  'woOnTime',
  'woHandled',
  'woHandlingMs',
  'woReopened',
  'woYellow',
  'woRed',
  'woRated',
  'woRatingSum',
  'woSatisfied',
  // alarms
  'alarmsTotal',
  'alarmsClosed',
  ...ALARM_TYPES.map((t) => `alarm_${t}` as const),
] as const;

export type KpiCounter = (typeof KPI_COUNTERS)[number];
/** Sparse: a missing counter is 0. */
export type KpiVector = Partial<Record<KpiCounter, number>>;

export type KpiEntityKind = 'task' | 'alarm' | 'work-order';

/** Zone null (contract-wide) is keyed as '-'. */
export function rollupKey(k: Pick<KpiKey, 'contractId' | 'zoneId' | 'serviceLine' | 'day'>): string {
  return `${k.contractId}|${k.zoneId ?? '-'}|${k.serviceLine}|${k.day}`;
}

const one = (b: boolean | null | undefined) => (b ? 1 : 0);
const num = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/** A task counts once its window has closed and its status is final; before that it contributes nothing. */
export function taskContribution(e: TaskChanged): KpiVector {
  if (!e.final) return {};
  const m = e.metrics ?? {};
  const v: KpiVector = {
    tasksDue: 1,
    tasksCompleted: one(e.status === 'completed'),
    tasksOnTime: one(e.status === 'completed' && e.onTime !== false),
  };
  switch (e.type) {
    case 'post': {
      v.postShifts = 1;
      v.postAttended = one(m.attended);
      v.postShiftMin = num(m.shiftMin);
      v.postOnPostMin = Math.min(num(m.onPostMin), num(m.shiftMin));
      v.postOffPostEpisodes = num(m.offPostEpisodes);
      v.mgmtSubjects = 1;
      v.mgmtReported = one(m.reported ?? (m.attended || num(m.presenceMin) > 0));
      break;
    }
    case 'online': {
      v.vehicleShifts = 1;
      v.vehicleOnline = one(m.reported);
      v.mgmtSubjects = 1;
      v.mgmtReported = one(m.reported);
      break;
    }
    case 'route': {
      const required = num(m.routeLengthM);
      const covered = m.coveredLengthM !== undefined ? num(m.coveredLengthM) : required * num(m.coverage);
      v.routeRequiredM = required;
      v.routeCoveredM = Math.min(covered, required);
      break;
    }
    case 'sites': {
      const required = num(m.sitesRequired);
      const visited = Math.min(num(m.sitesVisited), required);
      // Patrol rounds visit checkpoints; the other lines' site tasks are collection points.
      if (e.serviceLine === 'patrol') {
        v.checkpointsRequired = required;
        v.checkpointsVisited = visited;
      } else {
        v.collectionsRequired = required;
        v.collectionsVisited = visited;
      }
      break;
    }
    case 'area':
      break;
  }
  return v;
}

/** Every alarm counts once, by type, on the day it opened; closed ones also count as closed. */
export function alarmContribution(e: AlarmChanged): KpiVector {
  return { alarmsTotal: 1, [`alarm_${e.type}`]: 1, alarmsClosed: one(e.status === 'closed') };
}

/** A work order counts on the day it was reported; merged duplicates count nowhere (their original does). */
export function workOrderContribution(e: WorkOrderChanged): KpiVector {
  if (e.state === 'merged') return {};
  const closed = e.state === 'closed';
  const v: KpiVector = {
    woReceived: 1,
    woReopened: num(e.reopenedCount),
    woYellow: one(e.yellowCard),
    woRed: one(e.redCard),
  };
  if (closed) {
    v.woClosed = 1;
    v.woFixed = one(e.fixed !== false);
    v.woOnTime = one(e.onTime);
    if (e.handlingMs !== null && e.handlingMs !== undefined) {
      v.woHandled = 1;
      v.woHandlingMs = num(e.handlingMs);
    }
  }
  if (e.rating !== null && e.rating !== undefined) {
    v.woRated = 1;
    v.woRatingSum = e.rating;
    v.woSatisfied = one(e.rating >= 4);
  }
  return v;
}

export function addVectors(a: KpiVector, b: KpiVector, sign = 1): KpiVector {
  const out: KpiVector = { ...a };
  for (const [k, n] of Object.entries(b) as [KpiCounter, number][]) {
    const s = (out[k] ?? 0) + sign * n;
    out[k] = Math.round(s * 1e6) / 1e6; // float sums of metres/minutes: keep them stable under +x −x
  }
  return out;
}

/** Non-zero entries of new − old. */
export function vectorDelta(oldV: KpiVector, newV: KpiVector): KpiVector {
  const d = addVectors(newV, oldV, -1);
  return Object.fromEntries(Object.entries(d).filter(([, n]) => n !== 0)) as KpiVector;
}

export const isZero = (v: KpiVector) => Object.values(v).every((n) => !n);

/** What a change does to the rollups: a list of (rollup key, delta); a moved entity takes its old share away. */
export interface KpiPlacement {
  key: KpiKey;
  vec: KpiVector;
}

export function planDeltas(
  prev: KpiPlacement | null,
  next: KpiPlacement,
): { key: KpiKey; delta: KpiVector }[] {
  if (prev && rollupKey(prev.key) === rollupKey(next.key)) {
    const delta = vectorDelta(prev.vec, next.vec);
    return isZero(delta) ? [] : [{ key: next.key, delta }];
  }
  const out: { key: KpiKey; delta: KpiVector }[] = [];
  if (prev && !isZero(prev.vec)) out.push({ key: prev.key, delta: vectorDelta(prev.vec, {}) });
  if (!isZero(next.vec)) out.push({ key: next.key, delta: vectorDelta({}, next.vec) });
  return out;
}

export interface KpiRates {
  attendanceRate: number | null;
  onPostRate: number | null;
  vehicleOnlineRate: number | null;
  routeCoverageRate: number | null;
  taskCompletionRate: number | null;
  taskOnTimeRate: number | null;
  checkpointVisitRate: number | null;
  collectionVisitRate: number | null;
  managementCoverageRate: number | null;
  woReceived: number;
  woClosed: number;
  woClosureRate: number | null;
  woOnTimeRate: number | null;
  woMeanHandlingMin: number | null;
  woReopened: number;
  woYellowCards: number;
  woRedCards: number;
  woMeanRating: number | null;
  woSatisfactionRate: number | null;
  alarmsTotal: number;
  alarmsByType: Record<AlarmType, number>;
}

export const RATE_NAMES = [
  'attendanceRate',
  'onPostRate',
  'vehicleOnlineRate',
  'routeCoverageRate',
  'taskCompletionRate',
  'taskOnTimeRate',
  'checkpointVisitRate',
  'collectionVisitRate',
  'managementCoverageRate',
  'woClosureRate',
  'woOnTimeRate',
  'woSatisfactionRate',
] as const;
export type RateName = (typeof RATE_NAMES)[number];

/** Chinese labels for tables and reports. */
export const KPI_LABELS_ZH: Record<Exclude<keyof KpiRates, 'alarmsByType'>, string> = {
  attendanceRate: '出勤率',
  onPostRate: '在岗率',
  vehicleOnlineRate: '车辆上线率',
  routeCoverageRate: '作业覆盖率',
  taskCompletionRate: '任务完成率',
  taskOnTimeRate: '任务按时率',
  checkpointVisitRate: '巡查点到访率',
  collectionVisitRate: '收集点到访率',
  managementCoverageRate: '管理覆盖率',
  woReceived: '受理工单',
  woClosed: '结案工单',
  woClosureRate: '结案率',
  woOnTimeRate: '按时结案率',
  woMeanHandlingMin: '平均处置时长(分钟)',
  woReopened: '返工次数',
  woYellowCards: '黄牌',
  woRedCards: '红牌',
  woMeanRating: '平均满意度(1-5)',
  woSatisfactionRate: '满意率',
  alarmsTotal: '告警总数',
};

const ratio = (n: number | undefined, d: number | undefined, digits = 4): number | null =>
  d ? Math.round(((n ?? 0) / d) * 10 ** digits) / 10 ** digits : null;

/** Rates from counters; null where the denominator is 0 (nothing was due, so there is no rate). */
export function kpiRates(c: KpiVector): KpiRates {
  return {
    attendanceRate: ratio(c.postAttended, c.postShifts),
    onPostRate: ratio(c.postOnPostMin, c.postShiftMin),
    vehicleOnlineRate: ratio(c.vehicleOnline, c.vehicleShifts),
    routeCoverageRate: ratio(c.routeCoveredM, c.routeRequiredM),
    taskCompletionRate: ratio(c.tasksCompleted, c.tasksDue),
    taskOnTimeRate: ratio(c.tasksOnTime, c.tasksDue),
    checkpointVisitRate: ratio(c.checkpointsVisited, c.checkpointsRequired),
    collectionVisitRate: ratio(c.collectionsVisited, c.collectionsRequired),
    managementCoverageRate: ratio(c.mgmtReported, c.mgmtSubjects),
    woReceived: c.woReceived ?? 0,
    woClosed: c.woClosed ?? 0,
    woClosureRate: ratio(c.woClosed, c.woReceived),
    woOnTimeRate: ratio(c.woOnTime, c.woClosed),
    woMeanHandlingMin: c.woHandled
      ? Math.round(((c.woHandlingMs ?? 0) / c.woHandled / 60_000) * 10) / 10
      : null,
    woReopened: c.woReopened ?? 0,
    woYellowCards: c.woYellow ?? 0,
    woRedCards: c.woRed ?? 0,
    woMeanRating: ratio(c.woRatingSum, c.woRated, 2),
    woSatisfactionRate: ratio(c.woSatisfied, c.woRated),
    alarmsTotal: c.alarmsTotal ?? 0,
    alarmsByType: Object.fromEntries(ALARM_TYPES.map((t) => [t, c[`alarm_${t}`] ?? 0])) as Record<
      AlarmType,
      number
    >,
  };
}
