import type { Db, IndexDescription } from 'mongodb';

/** Collection names in one place: the services, the tests and the docs speak of the same ones. */
export const COLLECTIONS = {
  telemetry: 'telemetry',
  deadLetters: 'dead_letters',
  deviceState: 'device_state',
  devices: 'devices',
  ingestStats: 'ingest_stats',
  // services/api: the operations model, its users and the audit trail
  operators: 'operators',
  agencies: 'agencies',
  contracts: 'contracts',
  zones: 'zones',
  routes: 'routes',
  sites: 'sites',
  vehicles: 'vehicles',
  teams: 'teams',
  workers: 'workers',
  shifts: 'shifts',
  users: 'users',
  auditLog: 'audit_log',
  // work orders (issue 5); photos are in the GridFS bucket `wo_photos` (wo_photos.files / wo_photos.chunks)
  workOrders: 'work_orders',
  workOrderCalendars: 'wo_calendars',
  workOrderRouting: 'wo_routing',
  workOrderNotifications: 'wo_notifications',
  open311Keys: 'open311_keys',
  // services/worker: tasks with their lifecycle, and alarms (indexes in the worker's WORKER_INDEXES); the api
  // lists them and acknowledges/closes alarms
  tasks: 'tasks',
  alarms: 'alarms',
  // KPI rollups (worker writes, api reads) and monthly assessments (api); see docs/kpis.md
  kpiRollups: 'kpi_rollups',
  kpiContributions: 'kpi_contributions',
  kpiHistory: 'kpi_history',
  /** Claims of KPI rollup steps, `entity@rev` (read and written by `_id` only). */
  kpiSteps: 'kpi_steps',
  assessments: 'assessments',
  assessmentRules: 'assessment_rules',
} as const;

/**
 * KPI rollups and their history are split by the month of their service day (`kpi_rollups_YYYYMM`,
 * `kpi_history_YYYYMM`): on FerretDB every query but one by `_id` scans its collection, so the `$inc` of a day's
 * rollup, and an as-of read of a month, cost what that month holds, not the whole history (docs/kpis.md).
 * `kpi_rollups` and `kpi_history` themselves only hold what a database wrote before the split (read, never written).
 */
function monthOf(base: string, day: string): string {
  return `${base}_${day.slice(0, 4)}${day.slice(5, 7)}`;
}

/** The month collections of `base` that a range of service days (YYYY-MM-DD, inclusive) touches. */
function monthsBetween(base: string, from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const last = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7));
  while (y * 12 + m <= last) {
    out.push(monthOf(base, `${y}-${String(m).padStart(2, '0')}`));
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/**
 * The index of every month collection of rollups and history (created with the collection by the worker): a KPI
 * query reads one contract's days, ≤ 31 × zones × lines small documents per month. Not in INDEXES, so a new
 * database does not get the pre-split `kpi_rollups` and `kpi_history` created empty.
 */
export const KPI_MONTH_INDEXES: IndexDescription[] = [
  { key: { contractId: 1, day: 1 }, name: 'contract_day' },
];

export const kpiRollupsOf = (day: string) => monthOf(COLLECTIONS.kpiRollups, day);
export const kpiRollupsBetween = (from: string, to: string) =>
  monthsBetween(COLLECTIONS.kpiRollups, from, to);
export const kpiHistoryOf = (day: string) => monthOf(COLLECTIONS.kpiHistory, day);
export const kpiHistoryBetween = (from: string, to: string) =>
  monthsBetween(COLLECTIONS.kpiHistory, from, to);

/** GridFS bucket of work-order photos. */
export const WORK_ORDER_PHOTO_BUCKET = 'wo_photos';

/** Fields every tenant-scoped query of services/api filters on. */
function tenantIndexes(): IndexDescription[] {
  return [
    { key: { contractId: 1 }, name: 'contract' },
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ];
}

/**
 * Indexes the telemetry spine relies on. Only plain and unique indexes: FerretDB v1 has no TTL, geospatial or
 * partial indexes, and the same definitions must work on MongoDB 7.
 */
export const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.telemetry]: [
    // One index, two jobs: exactly-once storage (a redelivered or duplicated record hits it and is absorbed), and
    // its (deviceId, ts) prefix serves track playback and evidence windows. A second index would double the
    // per-record index work of the hot path for nothing.
    { key: { deviceId: 1, ts: 1, seq: 1 }, name: 'device_ts_seq', unique: true },
  ],
  [COLLECTIONS.deadLetters]: [
    { key: { receivedAt: 1 }, name: 'received_at' },
    { key: { deviceId: 1 }, name: 'device' },
  ],
  [COLLECTIONS.deviceState]: [{ key: { kind: 1 }, name: 'kind' }],
  [COLLECTIONS.devices]: [
    { key: { kind: 1, enabled: 1 }, name: 'kind_enabled' },
    // services/api: tenant scoping and bindings of devices
    { key: { contractId: 1 }, name: 'contract' },
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ],
  // services/api: unique business keys (a duplicate is a 409) and the tenant fields every scoped query filters on
  [COLLECTIONS.operators]: [{ key: { code: 1 }, name: 'code', unique: true }],
  [COLLECTIONS.agencies]: [{ key: { code: 1 }, name: 'code', unique: true }],
  [COLLECTIONS.contracts]: [
    { key: { code: 1 }, name: 'code', unique: true },
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ],
  [COLLECTIONS.zones]: tenantIndexes(),
  [COLLECTIONS.routes]: tenantIndexes(),
  [COLLECTIONS.sites]: tenantIndexes(),
  [COLLECTIONS.vehicles]: [{ key: { plate: 1 }, name: 'plate', unique: true }, ...tenantIndexes()],
  [COLLECTIONS.teams]: tenantIndexes(),
  [COLLECTIONS.workers]: [
    { key: { contractId: 1, employeeNo: 1 }, name: 'contract_employee_no', unique: true },
    ...tenantIndexes(),
  ],
  [COLLECTIONS.shifts]: tenantIndexes(),
  [COLLECTIONS.users]: [
    { key: { username: 1 }, name: 'username', unique: true },
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ],
  [COLLECTIONS.auditLog]: [
    // One entry per sequence number: concurrent writers race for the next seq and the loser retries.
    { key: { seq: 1 }, name: 'seq', unique: true },
    { key: { 'scope.operatorId': 1, seq: 1 }, name: 'scope_operator' },
    { key: { 'scope.agencyId': 1, seq: 1 }, name: 'scope_agency' },
    { key: { resource: 1, resourceId: 1 }, name: 'resource' },
  ],
  [COLLECTIONS.workOrders]: [
    ...tenantIndexes(),
    { key: { state: 1, category: 1 }, name: 'state_category' },
    { key: { token: 1 }, name: 'token' },
    { key: { reportedAt: 1 }, name: 'reported_at' },
  ],
  [COLLECTIONS.workOrderCalendars]: [
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ],
  [COLLECTIONS.workOrderRouting]: [
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ],
  [COLLECTIONS.workOrderNotifications]: [{ key: { workOrderId: 1 }, name: 'work_order' }],
  [COLLECTIONS.open311Keys]: [{ key: { keyHash: 1 }, name: 'key_hash', unique: true }],
  [COLLECTIONS.kpiContributions]: [{ key: { contractId: 1, day: 1 }, name: 'contract_day' }],
  [COLLECTIONS.assessments]: [
    { key: { contractId: 1, month: 1 }, name: 'contract_month', unique: true },
    { key: { operatorId: 1 }, name: 'operator' },
    { key: { agencyId: 1 }, name: 'agency' },
  ],
};

/** Idempotent. One index per command: FerretDB v1.24 panics on a createIndexes of several that already exist. */
export async function ensureIndexes(
  db: Db,
  indexes: Record<string, IndexDescription[]> = INDEXES,
): Promise<void> {
  for (const [name, specs] of Object.entries(indexes)) {
    for (const spec of specs) await db.collection(name).createIndexes([spec]);
  }
}
