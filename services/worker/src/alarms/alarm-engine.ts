import type { Db } from 'mongodb';
import type { AlarmChanged } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import { PreparedPolygon } from '../evidence/geo';
import type { CompiledTask, EvidencePoint, TaskIndex } from '../evidence';
import type { AlarmRepository } from '../persistence/alarm.repository';
import type { OperationsReader } from '../persistence/operations.reader';
import { hourOf, type TaskSource } from '../persistence/task.source';
import type { StoredTask, TaskRepository } from '../persistence/task.repository';
import { VEHICLE_LINE } from '../tasks/generation';
import { alarmChanged, type AlarmDoc } from '../tasks/events';
import type { TaskState } from '../tasks/lifecycle';
import { serviceDay } from '../tasks/service-day';
import {
  alarmKey,
  evaluateDevice,
  offlineEvents,
  resolveAlarmRules,
  type AlarmEvent,
  type AlarmRules,
  type AlarmSignal,
  type DeviceContext,
  type Duty,
} from './rules';

interface DeviceMeta {
  _id: string;
  kind: 'gps' | 'badge';
  contractId: string;
  operatorId: string;
  agencyId: string;
  vehicleId?: string;
  workerId?: string;
  vehicleType?: string;
}

interface TaskFacts {
  contractId: string;
  operatorId: string;
  agencyId: string;
  zoneId: string | null;
  serviceLine: string;
  kind?: string;
}

const CACHE_MS = 60_000;

/**
 * Alarm rules over the records of each stored batch (incremental), and a periodic sweep for silent devices.
 * Rule evaluation is pure (rules.ts); this class finds each device's duty (its post or online task of the
 * hour) and thresholds (its contract's), keeps the per-device state and turns raise/clear events into alarms.
 * Batches are evaluated one at a time per process, so a device's state is not written by two jobs at once.
 */
export class AlarmEngine {
  private chain: Promise<unknown> = Promise.resolve();
  private meta: {
    at: number;
    devices: Map<string, DeviceMeta>;
    rules: Map<string, AlarmRules>;
    lines: Map<string, string[]>;
  } | null = null;
  private active: { at: number; keys: Set<string> } | null = null;
  private readonly zones = new Map<string, PreparedPolygon | null>();

  constructor(
    private readonly db: Db,
    private readonly repo: AlarmRepository,
    private readonly tasks: TaskSource,
    private readonly taskRepo: TaskRepository,
    private readonly ops: OperationsReader,
    private readonly publish: (e: AlarmChanged) => Promise<void>,
  ) {}

  onPoints(points: readonly EvidencePoint[]): Promise<{ raised: number; cleared: number }> {
    const run = this.chain.then(() => this.evaluate(points));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async evaluate(points: readonly EvidencePoint[]): Promise<{ raised: number; cleared: number }> {
    if (!points.length) return { raised: 0, cleared: 0 };
    const meta = await this.loadMeta();
    const byDevice = new Map<string, EvidencePoint[]>();
    for (const p of points) byDevice.set(p.deviceId, [...(byDevice.get(p.deviceId) ?? []), p]);
    const indexes = new Map<number, TaskIndex>();
    for (const h of new Set(points.map((p) => hourOf(p.ts)))) indexes.set(h, await this.tasks.indexFor(h));
    const zoneIds = new Set<string>();
    for (const idx of indexes.values())
      for (const t of idx.tasks) {
        const z = (t.task as unknown as TaskFacts).zoneId;
        if (t.kind === 'online' && z && !this.zones.has(z)) zoneIds.add(z);
      }
    for (const z of await this.ops.zones([...zoneIds]))
      this.zones.set(z._id, new PreparedPolygon(z.geometry.coordinates));
    for (const z of zoneIds) if (!this.zones.has(z)) this.zones.set(z, null);

    const states = await this.repo.states([...byDevice.keys()]);
    const events: { e: AlarmEvent; device: DeviceMeta; duty: CompiledTask | null }[] = [];
    for (const [deviceId, pts] of byDevice) {
      const device = meta.devices.get(deviceId);
      if (!device) continue;
      const rules = meta.rules.get(device.contractId) ?? resolveAlarmRules();
      const dutyTask = (ts: number): CompiledTask | null => {
        const list = indexes.get(hourOf(ts))?.forDevice(deviceId) ?? [];
        const want = device.kind === 'badge' ? 'post' : 'online';
        return list.find((t) => t.kind === want && ts >= t.task.windowStart && ts < t.task.windowEnd) ?? null;
      };
      const ctx: DeviceContext = {
        deviceId,
        kind: device.kind,
        vehicleType: device.vehicleType,
        dutyAt: (ts): Duty | null => {
          const t = dutyTask(ts);
          if (!t) return null;
          if (t.kind === 'post') return { taskId: t.task.id, inZone: (x, y) => t.c.zone.contains(x, y) };
          const z = (t.task as unknown as TaskFacts).zoneId;
          const poly = z ? this.zones.get(z) : null;
          return { taskId: t.task.id, inZone: poly ? (x, y) => poly.contains(x, y) : null };
        },
      };
      const { state, events: evs } = evaluateDevice(ctx, rules, states.get(deviceId) ?? {}, pts);
      states.set(deviceId, state);
      for (const e of evs) events.push({ e, device, duty: e.op === 'raise' ? dutyTask(e.signal.ts) : null });
    }
    await this.repo.saveStates(states);
    return this.apply(events);
  }

  private async apply(
    events: { e: AlarmEvent; device: DeviceMeta | null; duty: CompiledTask | StoredTask | null }[],
  ): Promise<{ raised: number; cleared: number }> {
    const active = await this.activeKeys();
    let raised = 0;
    let cleared = 0;
    for (const { e, device, duty } of events) {
      if (e.op === 'raise') {
        if (active.has(e.signal.key)) continue;
        const doc = await this.repo.raise(this.describe(e.signal, device, duty));
        active.add(e.signal.key);
        if (doc) {
          raised++;
          await this.publish(alarmChanged(doc, Date.now()));
        }
      } else {
        if (!active.has(e.key)) continue;
        active.delete(e.key);
        const doc = await this.repo.clear(e.key, new Date(e.ts));
        if (doc) {
          cleared++;
          await this.publish(alarmChanged(doc, Date.now()));
        }
      }
    }
    return { raised, cleared };
  }

  private describe(
    s: AlarmSignal,
    device: DeviceMeta | null,
    duty: CompiledTask | StoredTask | null,
  ): Omit<AlarmDoc, '_id' | 'openKey' | 'active' | 'rev' | 'status' | 'history'> {
    const t = (duty && 'task' in duty ? duty.task : duty) as unknown as
      (TaskFacts & { id?: string; _id?: string }) | null;
    const contractId = t?.contractId ?? device?.contractId ?? '';
    const lines = this.meta?.lines.get(contractId) ?? [];
    const serviceLine =
      t?.serviceLine ??
      (device?.vehicleType ? VEHICLE_LINE[device.vehicleType] : undefined) ??
      lines[0] ??
      'sanitation';
    const subject: Pick<AlarmDoc, 'subjectKind' | 'subjectId'> =
      s.type === 'route_missed'
        ? { subjectKind: 'task', subjectId: s.taskId ?? '' }
        : device?.vehicleId
          ? { subjectKind: 'vehicle', subjectId: device.vehicleId }
          : { subjectKind: 'worker', subjectId: device?.workerId ?? s.deviceId };
    const at = new Date(s.ts);
    return {
      key: s.key,
      type: s.type,
      tenantId: t?.operatorId ?? device?.operatorId ?? '',
      contractId,
      operatorId: t?.operatorId ?? device?.operatorId ?? '',
      agencyId: t?.agencyId ?? device?.agencyId ?? '',
      zoneId: t?.zoneId ?? null,
      serviceLine,
      day: serviceDay(s.ts),
      deviceId: s.type === 'route_missed' ? null : s.deviceId,
      ...subject,
      taskId: s.taskId,
      at: s.at,
      message: s.message,
      openedAt: at,
      lastSeenAt: at,
      clearedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      closedAt: null,
      closedBy: null,
    };
  }

  /** Devices on duty now that have been silent too long raise device_offline; reporting clears it. */
  async sweep(now: number): Promise<{ raised: number; cleared: number }> {
    const run = this.chain.then(async () => {
      const meta = await this.loadMeta();
      const onDuty = await this.taskRepo.activeAt(now);
      const duty = onDuty
        .filter((t) => t.kind === 'post' || t.kind === 'online')
        .flatMap((t) => {
          const rules = meta.rules.get(t.contractId) ?? resolveAlarmRules();
          return t.subjects.map((deviceId) => ({
            deviceId,
            taskId: t._id,
            windowStart: t.windowStart,
            offlineMin: rules.offlineMin,
            disabled: rules.disabled.includes('device_offline'),
            task: t,
          }));
        });
      const ids = [...new Set(duty.map((d) => d.deviceId))];
      const lastSeen = new Map<string, number>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await this.db
          .collection(COLLECTIONS.deviceState)
          .find({ _id: { $in: ids.slice(i, i + 500) } as never })
          .toArray();
        for (const r of rows) {
          const seen = r.lastSeen ?? r.lastSeenAt ?? r.last?.ts;
          const ms =
            seen instanceof Date
              ? seen.getTime()
              : typeof seen === 'number'
                ? seen
                : Date.parse(String(seen));
          if (Number.isFinite(ms)) lastSeen.set(String(r._id), ms);
        }
      }
      const byDevice = new Map(duty.map((d) => [d.deviceId, d]));
      const events = offlineEvents(duty, lastSeen, now).map((e) => {
        const d = byDevice.get(e.op === 'raise' ? e.signal.deviceId : e.key.split('|')[1]);
        return { e, device: d ? (meta.devices.get(d.deviceId) ?? null) : null, duty: d?.task ?? null };
      });
      return this.apply(events);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** A route task that ended without its coverage raises route_missed (called by the lifecycle). */
  async routeMissed(task: StoredTask, state: TaskState): Promise<void> {
    if (task.kind !== 'route' || state.status === 'completed') return;
    const meta = await this.loadMeta();
    const rules = meta.rules.get(task.contractId) ?? resolveAlarmRules();
    if (rules.disabled.includes('route_missed')) return;
    const coverage = state.metrics.coverage ?? 0;
    const signal: AlarmSignal = {
      key: alarmKey('route_missed', task._id),
      type: 'route_missed',
      deviceId: task.subjects[0] ?? '',
      taskId: task._id,
      at: null,
      ts: task.windowEnd,
      message: `线路 ${task.targetIds?.[0] ?? ''} 作业时段结束未完成（${state.status === 'missed' ? '漏作业' : '部分完成'}）：覆盖率 ${Math.round(coverage * 1000) / 10}%`,
    };
    await this.apply([{ e: { op: 'raise', signal }, device: null, duty: task }]);
  }

  private async activeKeys(): Promise<Set<string>> {
    if (!this.active || Date.now() - this.active.at > CACHE_MS / 2)
      this.active = { at: Date.now(), keys: await this.repo.activeKeys() };
    return this.active.keys;
  }

  private async loadMeta() {
    if (this.meta && Date.now() - this.meta.at < CACHE_MS) return this.meta;
    const [devices, vehicles, contracts] = await Promise.all([
      this.db
        .collection<DeviceMeta>(COLLECTIONS.devices)
        .find(
          {},
          { projection: { kind: 1, contractId: 1, operatorId: 1, agencyId: 1, vehicleId: 1, workerId: 1 } },
        )
        .toArray(),
      this.db
        .collection<{ _id: string; type: string }>(COLLECTIONS.vehicles)
        .find({}, { projection: { type: 1 } })
        .toArray(),
      this.ops.contracts(),
    ]);
    const typeOf = new Map(vehicles.map((v) => [v._id, v.type]));
    this.meta = {
      at: Date.now(),
      devices: new Map(
        devices.map((d) => [d._id, { ...d, vehicleType: d.vehicleId ? typeOf.get(d.vehicleId) : undefined }]),
      ),
      rules: new Map(contracts.map((c) => [c._id, resolveAlarmRules(c.rules?.alarms)])),
      lines: new Map(contracts.map((c) => [c._id, c.serviceLines])),
    };
    return this.meta;
  }
}
