import type { AlarmChanged, ServiceLine, TaskChanged } from '@dwg/contracts';
import type { TaskState } from './lifecycle';
import type { GeneratedTask } from './generation';

/** The api says waste_sorting where the domain events (and KPIs) say sorting. */
export const eventServiceLine = (line: string): ServiceLine =>
  (line === 'waste_sorting' ? 'sorting' : line) as ServiceLine;

type TaskFacts = Pick<
  GeneratedTask,
  | 'contractId'
  | 'operatorId'
  | 'zoneId'
  | 'serviceLine'
  | 'day'
  | 'subjectKind'
  | 'subjectIds'
  | 'subjects'
  | 'windowStart'
  | 'windowEnd'
> & { _id?: string; id?: string; spec: { type: string } | unknown; kind?: string };

/** Full snapshot of a task for TaskChanged (tenantId = the operator whose crews do the work). */
export function taskChanged(
  t: TaskFacts,
  taskId: string,
  state: Pick<TaskState, 'status' | 'final' | 'onTime' | 'metrics'>,
  rev: number,
  now: number,
): TaskChanged {
  return {
    tenantId: t.operatorId,
    contractId: t.contractId,
    zoneId: t.zoneId ?? null,
    serviceLine: eventServiceLine(t.serviceLine),
    day: t.day,
    taskId,
    rev,
    type: (t.spec as { type: TaskChanged['type'] }).type,
    status: state.status,
    final: state.final,
    subjectKind: t.subjectKind,
    subjectIds: t.subjectIds,
    deviceIds: t.subjects,
    windowStart: new Date(t.windowStart).toISOString(),
    windowEnd: new Date(t.windowEnd).toISOString(),
    ...(state.onTime !== null && state.onTime !== undefined ? { onTime: state.onTime } : {}),
    metrics: state.metrics,
    changedAt: new Date(now).toISOString(),
  };
}

/** A stored alarm as the worker and the api keep it. */
export interface AlarmDoc {
  _id: string;
  /** The condition's key while it holds and the alarm is not closed; `${key}#${_id}` once released. */
  openKey: string;
  key: string;
  active: boolean;
  type: AlarmChanged['type'];
  status: AlarmChanged['status'];
  rev: number;
  tenantId: string;
  contractId: string;
  operatorId: string;
  agencyId: string;
  zoneId: string | null;
  serviceLine: string;
  day: string;
  deviceId: string | null;
  subjectKind: AlarmChanged['subjectKind'];
  subjectId: string;
  taskId: string | null;
  at: [number, number] | null;
  message: string;
  openedAt: Date;
  lastSeenAt: Date;
  clearedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: { id: string; username: string } | null;
  closedAt: Date | null;
  closedBy: { id: string; username: string } | null;
  history: { status: string; at: Date; by: string; comment: string | null }[];
}

export function alarmChanged(a: AlarmDoc, now: number): AlarmChanged {
  return {
    tenantId: a.tenantId,
    contractId: a.contractId,
    zoneId: a.zoneId,
    serviceLine: eventServiceLine(a.serviceLine),
    day: a.day,
    alarmId: a._id,
    rev: a.rev,
    type: a.type,
    status: a.status,
    deviceId: a.deviceId,
    subjectKind: a.subjectKind,
    subjectId: a.subjectId,
    taskId: a.taskId,
    at: a.at,
    openedAt: new Date(a.openedAt).toISOString(),
    closedAt: a.closedAt ? new Date(a.closedAt).toISOString() : null,
    clearedAt: a.clearedAt ? new Date(a.clearedAt).toISOString() : null,
    message: a.message,
    changedAt: new Date(now).toISOString(),
  };
}
