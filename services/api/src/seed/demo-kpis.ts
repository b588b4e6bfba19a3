import type { AlarmChanged, AlarmType, ServiceLine, TaskChanged, WorkOrderChanged } from '@dwg/contracts';
import type { DemoData } from './demo-world';

/**
 * Synthetic month-to-date history for the demo contracts: the task, alarm and work-order changes the platform would
 * have published from the 1st of the current month up to yesterday (service days, Asia/Shanghai). The seed
 * publishes them on the domain-events queue and the worker rolls them up like live ones, so `npm start` shows KPIs,
 * rankings and a draft assessment straight away. Deterministic for a given `today`.
 */
export type DemoEvent =
  | { name: 'task-changed'; id: string; event: TaskChanged }
  | { name: 'alarm-changed'; id: string; event: AlarmChanged }
  | { name: 'work-order-changed'; id: string; event: WorkOrderChanged };

const LINE: Record<string, ServiceLine> = {
  sanitation: 'sanitation',
  greening: 'greening',
  patrol: 'patrol',
  waste_sorting: 'sorting',
  sorting: 'sorting',
};
const ALARMS: AlarmType[] = [
  'off_post',
  'zone_exit',
  'overspeed',
  'stopped_too_long',
  'device_offline',
  'low_battery',
];
const CATEGORIES = ['litter', 'overflowing_bin', 'illegal_dumping', 'damaged_greenery', 'street_vendor'];

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Service days from the 1st of `today`'s month (Shanghai) up to the day before `today`. */
export function monthToDateDays(today: Date): string[] {
  const local = new Date(today.getTime() + 8 * 3_600_000);
  const ym = local.toISOString().slice(0, 7);
  const days: string[] = [];
  for (let d = 1; d < local.getUTCDate(); d++) days.push(`${ym}-${String(d).padStart(2, '0')}`);
  return days;
}

export function demoKpiEvents(data: DemoData, today: Date): DemoEvent[] {
  const rand = rng(20251127);
  const out: DemoEvent[] = [];
  const days = monthToDateDays(today);
  const str = (v: unknown) => String(v);
  for (const c of data.contracts) {
    const cid = str(c._id);
    const lines = ((c.serviceLines as string[]) ?? []).map((l) => LINE[l]).filter(Boolean);
    const grids = data.zones.filter((z) => z.contractId === cid && z.level === 'grid');
    const badges = data.devices
      .filter((d) => d.contractId === cid && d.kind === 'badge')
      .map((d) => str(d._id));
    const gps = data.devices.filter((d) => d.contractId === cid && d.kind === 'gps').map((d) => str(d._id));
    const routes = data.routes.filter((r) => r.contractId === cid);
    let woNo = 0;
    for (const day of days) {
      grids.forEach((g, gi) => {
        for (const line of lines) {
          const key = {
            tenantId: str(c.operatorId),
            contractId: cid,
            zoneId: str(g._id),
            serviceLine: line,
            day,
          };
          const base = {
            ...key,
            rev: 3,
            final: true,
            windowStart: `${day}T06:00:00+08:00`,
            windowEnd: `${day}T14:00:00+08:00`,
            changedAt: `${day}T14:01:00+08:00`,
          };
          const tid = (kind: string, n: number) => `demo-${kind}-${cid}-${g._id}-${line}-${day}-${n}`;
          // Two workers on post per grid and line.
          for (let w = 0; w < 2; w++) {
            const attended = rand() > 0.06;
            const reported = attended || rand() > 0.5;
            const badge = badges.length ? badges[(gi * 2 + w) % badges.length] : `badge-${w}`;
            const e: TaskChanged = {
              ...base,
              taskId: tid('post', w),
              type: 'post',
              status: attended ? 'completed' : 'missed',
              subjectKind: 'worker',
              subjectIds: [`worker-of-${badge}`],
              deviceIds: [badge],
              onTime: attended,
              metrics: {
                attended,
                reported,
                shiftMin: 480,
                onPostMin: attended ? Math.round(400 + rand() * 80) : 0,
                offPostEpisodes: attended && rand() > 0.8 ? 1 : 0,
              },
            };
            out.push({ name: 'task-changed', id: e.taskId, event: e });
          }
          const veh = gps.length ? gps[gi % gps.length] : 'veh';
          if (line === 'sanitation') {
            const len = routes.length ? Number(routes[gi % routes.length].lengthM ?? 3000) : 3000;
            const cov = Math.min(1, 0.8 + rand() * 0.25);
            const r: TaskChanged = {
              ...base,
              taskId: tid('route', 0),
              type: 'route',
              status: cov >= 0.95 ? 'completed' : 'partial',
              subjectKind: 'vehicle',
              subjectIds: [`vehicle-of-${veh}`],
              deviceIds: [veh],
              onTime: true,
              metrics: {
                routeLengthM: Math.round(len),
                coveredLengthM: Math.round(len * cov),
                coverage: cov,
              },
            };
            out.push({ name: 'task-changed', id: r.taskId, event: r });
          }
          if (line === 'sanitation' || line === 'sorting') {
            const on = rand() > 0.05;
            const o: TaskChanged = {
              ...base,
              taskId: tid('online', 0),
              type: 'online',
              status: on ? 'completed' : 'missed',
              subjectKind: 'vehicle',
              subjectIds: [`vehicle-of-${veh}`],
              deviceIds: [veh],
              onTime: on,
              metrics: { reported: on, onlineMin: on ? 470 : 0 },
            };
            out.push({ name: 'task-changed', id: o.taskId, event: o });
          }
          if (line === 'patrol' || line === 'sorting') {
            const required = line === 'patrol' ? 12 : 8;
            const visited = required - (rand() > 0.7 ? 1 : 0);
            const s: TaskChanged = {
              ...base,
              taskId: tid('sites', 0),
              type: 'sites',
              status: visited === required ? 'completed' : 'partial',
              subjectKind: line === 'patrol' ? 'worker' : 'vehicle',
              subjectIds: ['crew'],
              deviceIds: [line === 'patrol' ? (badges[gi % Math.max(1, badges.length)] ?? 'badge') : veh],
              onTime: true,
              metrics: { sitesRequired: required, sitesVisited: visited },
            };
            out.push({ name: 'task-changed', id: s.taskId, event: s });
          }
          if (rand() > 0.5) {
            const type = ALARMS[Math.floor(rand() * ALARMS.length)];
            const a: AlarmChanged = {
              ...key,
              alarmId: tid('alarm', 0),
              rev: 2,
              type,
              status: rand() > 0.2 ? 'closed' : 'acknowledged',
              deviceId: badges[0] ?? null,
              subjectKind: 'worker',
              subjectId: 'worker',
              taskId: null,
              at: null,
              openedAt: `${day}T09:30:00+08:00`,
              closedAt: null,
              message: type,
              changedAt: `${day}T10:00:00+08:00`,
            };
            out.push({ name: 'alarm-changed', id: a.alarmId, event: a });
          }
        }
        // A resident report every other day per grid.
        if (rand() > 0.5) {
          woNo++;
          const late = rand() > 0.8;
          const hours = late ? 30 : 1 + rand() * 5;
          const w: WorkOrderChanged = {
            tenantId: str(c.operatorId),
            contractId: cid,
            zoneId: str(g._id),
            serviceLine: lines[0],
            day,
            workOrderId: `demo-wo-${cid}-${day}-${woNo}`,
            rev: 7,
            category: CATEGORIES[woNo % CATEGORIES.length],
            state: 'closed',
            source: 'resident',
            reportedAt: `${day}T09:00:00+08:00`,
            dispatchedAt: `${day}T09:15:00+08:00`,
            closedAt: new Date(Date.parse(`${day}T09:00:00+08:00`) + hours * 3_600_000).toISOString(),
            dueAt: `${day}T13:00:00+08:00`,
            yellowCard: late,
            redCard: late && rand() > 0.4,
            fixed: true,
            onTime: !late,
            handlingMs: Math.round(hours * 3_600_000),
            reopenedCount: rand() > 0.9 ? 1 : 0,
            rating: 3 + Math.floor(rand() * 3),
            alarmId: null,
            photoIds: [],
            changedAt: `${day}T18:00:00+08:00`,
          };
          out.push({ name: 'work-order-changed', id: w.workOrderId, event: w });
        }
      });
    }
  }
  return out;
}

/**
 * Publishes the month-to-date history on the domain-events queue (job ids per entity and rev, like the real
 * producers), unless this month's history is already there. Returns how many changes were published.
 */
export async function publishDemoKpis(
  db: import('mongodb').Db,
  redis: { url: string; prefix: string },
  data: DemoData,
  today: Date,
): Promise<number> {
  const { Queue } = await import('bullmq');
  const { COLLECTIONS } = await import('@dwg/persistence');
  const { QUEUES, domainEventJobId } = await import('@dwg/contracts');
  const events = demoKpiEvents(data, today);
  if (!events.length) return 0;
  const first = events[0].event;
  const have = await db
    .collection(COLLECTIONS.kpiContributions)
    .findOne({ contractId: first.contractId, day: first.day }, { projection: { _id: 1 } });
  if (have) return 0;
  const queue = new Queue(QUEUES.domainEvents, {
    connection: { url: redis.url },
    prefix: `${redis.prefix}:bull`,
  } as never);
  try {
    for (let i = 0; i < events.length; i += 200) {
      await queue.addBulk(
        events.slice(i, i + 200).map((e) => ({
          name: e.name,
          data: e.event,
          opts: {
            jobId: domainEventJobId(e.name, e.id, e.event.rev),
            removeOnComplete: 1000,
            removeOnFail: 5000,
            attempts: 10,
            backoff: { type: 'exponential', delay: 500 },
          },
        })),
      );
    }
  } finally {
    await queue.close();
  }
  return events.length;
}
