import { booleanPointInPolygon, point, polygon } from '@turf/turf';
import type { EvidenceOptionsInput, EvidenceTask, LngLat, Operation, SiteSpec, TaskSpec } from '../evidence';
import type {
  ApiServiceLine,
  ContractRow,
  OperationsModel,
  RouteRow,
  ShiftRow,
  SiteRow,
  ZoneRow,
} from './model';
import { isoWeekday, shiftWindow } from './service-day';

/**
 * What a task is for, beyond the engine's spec: route (sweep/wash/drive a route), patrol_rounds (checkpoints),
 * collection_rounds (collection points with the lift on), sorting_rounds (collection points on foot),
 * greening (presence in a green area, plus a photo), post (a worker's attendance and on-post time), online
 * (a vehicle reporting during its shift).
 */
export type TaskKind =
  'route' | 'patrol_rounds' | 'collection_rounds' | 'sorting_rounds' | 'greening' | 'post' | 'online';

export interface TaskMeta {
  kind: TaskKind;
  name: string;
  shiftId: string;
  contractId: string;
  operatorId: string;
  agencyId: string;
  zoneId: string | null;
  serviceLine: ApiServiceLine;
  subjectKind: 'vehicle' | 'worker' | 'team';
  subjectIds: string[];
  /** Route or site ids the task is about (empty for post/online). */
  targetIds: string[];
  vehicleType?: string;
  photoRequired?: boolean;
}

export type GeneratedTask = EvidenceTask & TaskMeta;

/** Service line of a vehicle by its type, for shifts on a zone (a route carries its own). */
export const VEHICLE_LINE: Record<string, ApiServiceLine> = {
  sweeper: 'sanitation',
  washer: 'sanitation',
  sprinkler: 'greening',
  pickup: 'greening',
  compactor_truck: 'waste_sorting',
  patrol_car: 'patrol',
};

const OPERATION: Record<RouteRow['requiredOperation'], Operation | null> = {
  sweep: 'sweep',
  spray: 'spray',
  lift: 'lift',
  none: null,
};

/** Stable 32-bit FNV-1a of a task's definition: the task's `version`, so compiled geometry follows changes. */
export function definitionVersion(
  t: Pick<EvidenceTask, 'spec' | 'subjects' | 'windowStart' | 'windowEnd' | 'options'>,
): number {
  const s = JSON.stringify([t.spec, t.subjects, t.windowStart, t.windowEnd, t.options ?? null]);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Deterministic id: the same shift, day and kind (and worker or site) always give the same task. */
export const taskId = (shiftId: string, day: string, kind: TaskKind, extra?: string) =>
  [shiftId, day, kind, ...(extra ? [extra] : [])].join('.');

function shiftRunsOn(s: ShiftRow, c: ContractRow, day: string): boolean {
  if (day < s.validFrom || (s.validTo && day > s.validTo)) return false;
  if (day < c.startDate || day > c.endDate) return false;
  return s.days.includes(isoWeekday(day));
}

/** Lookups over the model, built once per generation run. */
class Model {
  readonly contracts: Map<string, ContractRow>;
  readonly zones: Map<string, ZoneRow>;
  readonly routes: Map<string, RouteRow>;
  readonly teams: Map<string, OperationsModel['teams'][number]>;
  readonly vehicles: Map<string, OperationsModel['vehicles'][number]>;
  readonly workersOfTeam = new Map<string, string[]>();
  readonly gpsOf = new Map<string, string>();
  readonly badgeOf = new Map<string, string>();
  private readonly childrenOf = new Map<string, string[]>();

  constructor(readonly m: OperationsModel) {
    const byId = <T extends { _id: string }>(rows: T[]) => new Map(rows.map((r) => [r._id, r]));
    this.contracts = byId(m.contracts);
    this.zones = byId(m.zones);
    this.routes = byId(m.routes);
    this.teams = byId(m.teams);
    this.vehicles = byId(m.vehicles);
    for (const w of [...m.workers].sort((a, b) => a._id.localeCompare(b._id)))
      if (w.teamId) this.workersOfTeam.set(w.teamId, [...(this.workersOfTeam.get(w.teamId) ?? []), w._id]);
    for (const d of [...m.devices].sort((a, b) => a._id.localeCompare(b._id))) {
      if (d.enabled === false) continue;
      if (d.kind === 'gps' && d.vehicleId && !this.gpsOf.has(d.vehicleId)) this.gpsOf.set(d.vehicleId, d._id);
      if (d.kind === 'badge' && d.workerId && !this.badgeOf.has(d.workerId))
        this.badgeOf.set(d.workerId, d._id);
    }
    for (const z of m.zones)
      if (z.parentId) this.childrenOf.set(z.parentId, [...(this.childrenOf.get(z.parentId) ?? []), z._id]);
  }

  /** A zone and every zone below it. */
  zoneTree(id: string): Set<string> {
    const out = new Set<string>();
    const stack = [id];
    while (stack.length) {
      const z = stack.pop()!;
      if (out.has(z)) continue;
      out.add(z);
      stack.push(...(this.childrenOf.get(z) ?? []));
    }
    return out;
  }

  /** Sites of a kind in a zone's tree (by their zoneId; a site without one by its position). */
  sitesIn(zoneId: string, kind: SiteRow['kind'], contractId: string): SiteRow[] {
    const tree = this.zoneTree(zoneId);
    const zone = this.zones.get(zoneId);
    return this.m.sites
      .filter((s) => s.kind === kind && s.contractId === contractId)
      .filter((s) =>
        s.zoneId
          ? tree.has(s.zoneId)
          : !!zone && booleanPointInPolygon(point(anchor(s)), polygon(zone.geometry.coordinates)),
      )
      .sort((a, b) => a._id.localeCompare(b._id));
  }
}

function anchor(s: SiteRow): LngLat {
  return s.geometry.type === 'Point' ? s.geometry.coordinates : s.geometry.coordinates[0][0];
}

/**
 * The tasks of one service day from the shifts in force that day: a pure mapping of the api's model onto the
 * evidence engine's tasks. Same model and day → same tasks with the same ids, so generating twice (or on two
 * replicas) only upserts the same documents.
 */
export function generateTasks(model: OperationsModel, day: string): GeneratedTask[] {
  const m = new Model(model);
  const out: GeneratedTask[] = [];
  for (const s of [...model.shifts].sort((a, b) => a._id.localeCompare(b._id))) {
    const c = m.contracts.get(s.contractId);
    if (!c || !shiftRunsOn(s, c, day)) continue;
    out.push(...tasksOfShift(m, c, s, day));
  }
  return out;
}

function tasksOfShift(m: Model, c: ContractRow, s: ShiftRow, day: string): GeneratedTask[] {
  const [windowStart, windowEnd] = shiftWindow(day, s.start, s.end);
  const route = s.targetType === 'route' ? m.routes.get(s.targetId) : undefined;
  if (s.targetType === 'route' && !route) return [];
  const zoneId = s.targetType === 'zone' ? s.targetId : (route?.zoneId ?? null);
  const zone = zoneId ? m.zones.get(zoneId) : undefined;
  const vehicle = s.assigneeType === 'vehicle' ? m.vehicles.get(s.assigneeId) : undefined;
  const team = s.assigneeType === 'team' ? m.teams.get(s.assigneeId) : undefined;
  const line = (s.serviceLine ??
    route?.serviceLine ??
    team?.serviceLine ??
    (vehicle ? VEHICLE_LINE[vehicle.type] : undefined) ??
    workerLine(m, s)) as ApiServiceLine | undefined;
  if (!line) return [];
  const evidence: EvidenceOptionsInput | undefined = c.rules?.evidence;
  const base = {
    day,
    windowStart,
    windowEnd,
    shiftId: s._id,
    contractId: c._id,
    operatorId: c.operatorId,
    agencyId: c.agencyId,
    zoneId,
    serviceLine: line,
  };
  const out: GeneratedTask[] = [];
  const push = (
    kind: TaskKind,
    spec: TaskSpec,
    who: { subjectKind: TaskMeta['subjectKind']; subjectIds: string[]; devices: string[] },
    extra: Partial<TaskMeta> & { idExtra?: string; options?: EvidenceOptionsInput } = {},
  ) => {
    const { idExtra, options, ...meta } = extra;
    const t: GeneratedTask = {
      ...base,
      id: taskId(s._id, day, kind, idExtra),
      kind,
      name: `${s.name ?? s._id} ${day} ${kind}${idExtra ? ` ${idExtra}` : ''}`,
      subjects: who.devices,
      subjectKind: who.subjectKind,
      subjectIds: who.subjectIds,
      targetIds: [],
      spec,
      ...((options ?? evidence) ? { options: mergeOptions(evidence, options) } : {}),
      ...meta,
    };
    t.version = definitionVersion(t);
    out.push(t);
  };

  // Who: a vehicle's terminal, or the badges of a worker or of a team's members.
  const workerIds =
    s.assigneeType === 'team'
      ? (m.workersOfTeam.get(s.assigneeId) ?? [])
      : s.assigneeType === 'worker'
        ? [s.assigneeId]
        : [];
  const badges = workerIds.map((w) => m.badgeOf.get(w)).filter((d): d is string => !!d);
  const crew =
    s.assigneeType === 'vehicle'
      ? {
          subjectKind: 'vehicle' as const,
          subjectIds: [s.assigneeId],
          devices: [m.gpsOf.get(s.assigneeId)].filter((d): d is string => !!d),
        }
      : {
          subjectKind: s.assigneeType === 'team' ? ('team' as const) : ('worker' as const),
          subjectIds: [s.assigneeId],
          devices: badges,
        };
  const vehicleMeta = vehicle ? { vehicleType: vehicle.type } : {};

  // Line work.
  if (route) {
    push(
      'route',
      {
        type: 'route',
        routeId: route._id,
        line: route.geometry.coordinates,
        operation: OPERATION[route.requiredOperation] ?? null,
        passes: s.passes ?? route.passesPerDay,
      },
      crew,
      { targetIds: [route._id], ...vehicleMeta },
    );
  } else if (zoneId) {
    const rounds = (kind: TaskKind, siteKind: SiteRow['kind'], requireLift: boolean) => {
      const sites = m.sitesIn(zoneId, siteKind, c._id);
      if (!sites.length) return;
      const spec: TaskSpec = {
        type: 'sites',
        sites: sites.map((x): SiteSpec => ({ id: x._id, at: anchor(x) })),
        ...(requireLift ? { requireLift: true } : {}),
        ...(s.passes ? { rounds: s.passes } : {}),
      };
      push(kind, spec, crew, { targetIds: sites.map((x) => x._id), ...vehicleMeta });
    };
    if (line === 'patrol') rounds('patrol_rounds', 'checkpoint', false);
    else if (line === 'waste_sorting')
      rounds(vehicle ? 'collection_rounds' : 'sorting_rounds', 'collection_point', !!vehicle);
    else if (line === 'greening' && !vehicle)
      for (const site of m.sitesIn(zoneId, 'green_area', c._id)) {
        if (site.geometry.type !== 'Polygon') continue;
        push('greening', { type: 'area', polygon: site.geometry.coordinates }, crew, {
          idExtra: site._id,
          targetIds: [site._id],
          photoRequired: s.photoRequired ?? true,
        });
      }
  }

  // KPI tasks: every scheduled vehicle must report; every scheduled worker must be on post in the zone.
  if (vehicle) push('online', { type: 'online' }, crew, { ...vehicleMeta });
  if (zone)
    for (const w of workerIds)
      push(
        'post',
        { type: 'post', zone: zone.geometry.coordinates },
        {
          subjectKind: 'worker',
          subjectIds: [w],
          devices: [m.badgeOf.get(w)].filter((d): d is string => !!d),
        },
        {
          idExtra: w,
          ...(s.graceMinutes !== undefined ? { options: { post: { graceMin: s.graceMinutes } } } : {}),
        },
      );
  return out;
}

function workerLine(m: Model, s: ShiftRow): string | undefined {
  if (s.assigneeType !== 'worker') return undefined;
  const w = m.m.workers.find((x) => x._id === s.assigneeId);
  return w?.teamId ? m.teams.get(w.teamId)?.serviceLine : undefined;
}

function mergeOptions(
  a: EvidenceOptionsInput | undefined,
  b: EvidenceOptionsInput | undefined,
): EvidenceOptionsInput {
  const out: Record<string, Record<string, unknown>> = {};
  for (const layer of [a, b])
    for (const [k, v] of Object.entries(layer ?? {})) out[k] = { ...(out[k] ?? {}), ...(v ?? {}) };
  return out as EvidenceOptionsInput;
}
