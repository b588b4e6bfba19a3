import {
  ALARM_CATEGORY,
  categoryByCode,
  computeDeadlines,
  contractServiceLine,
  routeOrder,
  type AlarmChanged,
  type RoutingRule,
  type WorkCalendar,
  type WorkOrderDoc,
} from '@dwg/contracts';

/** The work order an alarm opens: deterministic id per alarm, so a replayed or repeated alarm opens one order. */
export function alarmOrderId(alarmId: string): string {
  return `wo-alarm-${alarmId}`;
}

/** Whether an alarm opens a work order: a chosen type, not already closed when first seen. */
export function opensWorkOrder(a: AlarmChanged): boolean {
  return !!ALARM_CATEGORY[a.type] && a.status !== 'closed';
}

export interface AlarmOrderContext {
  contract: { id: string; operatorId: string; agencyId: string; serviceLines: string[] } | null;
  /** The alarm's zone and its ancestors. */
  zoneChain: string[];
  /** Where to put the order when the alarm has no position: the zone's centre. */
  zoneCentre: { lng: number; lat: number } | null;
  rules: RoutingRule[];
  teams: { id: string; serviceLine: string }[];
  calendar: WorkCalendar;
  now: Date;
}

export function buildAlarmOrder(a: AlarmChanged, c: AlarmOrderContext): WorkOrderDoc {
  const code = ALARM_CATEGORY[a.type]!;
  const cat = categoryByCode(code)!;
  const line = contractServiceLine(a.serviceLine);
  const routing = routeOrder({
    category: cat,
    zoneChain: c.zoneChain.length ? c.zoneChain : c.contract ? [`contract:${c.contract.id}`] : [],
    contract: c.contract,
    rules: c.rules,
    teams: c.teams,
    fallbackServiceLine: line,
  });
  const at = c.now.toISOString();
  const location = a.at ? { lng: a.at[0], lat: a.at[1] } : c.zoneCentre;
  const deadlines = routing.teamId ? computeDeadlines(at, cat, c.calendar) : { dueAt: null, redAt: null };
  const platform = { id: 'platform', username: 'alarms', role: 'system' };
  return {
    _id: alarmOrderId(a.alarmId),
    rev: 1,
    category: code,
    categoryKnown: true,
    description: `${a.type} alarm: ${a.message}`,
    location: location ?? { lng: 0, lat: 0 },
    locationKnown: !!location,
    address: null,
    state: routing.teamId ? 'dispatched' : 'screening',
    source: 'alarm',
    reporter: { kind: 'alarm' },
    token: null,
    mediaUrl: null,
    contractId: c.contract?.id ?? null,
    operatorId: c.contract?.operatorId ?? (a.tenantId || null),
    agencyId: c.contract?.agencyId ?? null,
    zoneId: a.zoneId,
    zoneChain: c.zoneChain,
    serviceLine: cat.serviceLine ?? line,
    teamId: routing.teamId,
    routingReason: routing.reason,
    reportedAt: at,
    dispatchedAt: routing.teamId ? at : null,
    dueAt: deadlines.dueAt,
    redDueAt: deadlines.redAt,
    deadlineVersion: 1,
    reopenedCount: 0,
    mergedFrom: [],
    flagged: false,
    alarmId: a.alarmId,
    photos: [],
    history: [
      { at, action: 'report', by: platform, from: null, to: 'reported', note: `alarm ${a.alarmId}` },
      {
        at,
        action: routing.teamId ? 'dispatch' : 'screen',
        by: { id: 'platform', username: 'routing', role: 'system' },
        from: 'reported',
        to: routing.teamId ? 'dispatched' : 'screening',
        note: routing.reason,
      },
    ],
    createdAt: c.now,
    updatedAt: c.now,
  };
}
