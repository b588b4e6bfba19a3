/**
 * The fields of each resource as the console shows and edits them (docs/api.md). One table drives list, filters,
 * show and forms, so adding a field is one line.
 */
export type FieldType =
  | 'text'
  | 'number'
  | 'bool'
  | 'date'
  | 'datetime'
  | 'time'
  | 'enum'
  | 'enums'
  | 'ref'
  | 'json'
  | 'geometry'
  | 'weekdays';

export interface FieldSpec {
  source: string;
  type: FieldType;
  /** enums: the translation group under `enums.` and the values. */
  choices?: { group: string; values: readonly string[] };
  reference?: string;
  /** Field of the referenced record shown instead of its id. */
  display?: string;
  /** Computed by the server: shown, never edited. */
  readOnly?: boolean;
  /** Only sent on create (ids, kinds and tenants never change). */
  createOnly?: boolean;
  /** Write-only (passwords). */
  writeOnly?: boolean;
  required?: boolean;
  /** Shown in the list. */
  list?: boolean;
  /** Offered as a list filter. */
  filter?: boolean;
  geometry?: 'Polygon' | 'LineString' | 'Point';
}

export interface ResourceSpec {
  name: string;
  fields: FieldSpec[];
  /** The api has a full-text filter `q`. */
  search?: boolean;
  /** Default list sort. */
  sort?: { field: string; order: 'ASC' | 'DESC' };
  /** Resources without create/update/delete endpoints (audit log, tasks, alarms, assessments). */
  readOnly?: boolean;
  recordLabel?: string;
}

export const SERVICE_LINES = ['sanitation', 'greening', 'patrol', 'waste_sorting'] as const;
const enumOf = (group: string, values: readonly string[]) => ({ group, values });
const contract: FieldSpec = {
  source: 'contractId',
  type: 'ref',
  reference: 'contracts',
  display: 'code',
  createOnly: true,
  required: true,
  list: true,
  filter: true,
};

export const SPECS: ResourceSpec[] = [
  {
    name: 'operators',
    search: true,
    recordLabel: 'name',
    fields: [
      { source: 'code', type: 'text', required: true, list: true },
      { source: 'name', type: 'text', required: true, list: true },
      { source: 'contact', type: 'text', list: true },
    ],
  },
  {
    name: 'agencies',
    search: true,
    recordLabel: 'name',
    fields: [
      { source: 'code', type: 'text', required: true, list: true },
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'level',
        type: 'enum',
        choices: enumOf('zoneLevel', ['district', 'street']),
        list: true,
        filter: true,
      },
    ],
  },
  {
    name: 'contracts',
    search: true,
    recordLabel: 'code',
    fields: [
      { source: 'code', type: 'text', required: true, list: true },
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'agencyId',
        type: 'ref',
        reference: 'agencies',
        display: 'name',
        createOnly: true,
        required: true,
        list: true,
        filter: true,
      },
      {
        source: 'operatorId',
        type: 'ref',
        reference: 'operators',
        display: 'name',
        createOnly: true,
        required: true,
        list: true,
        filter: true,
      },
      {
        source: 'serviceLines',
        type: 'enums',
        choices: enumOf('serviceLine', SERVICE_LINES),
        required: true,
        list: true,
      },
      { source: 'startDate', type: 'date', required: true, list: true },
      { source: 'endDate', type: 'date', required: true, list: true },
      { source: 'kpiTargets', type: 'json' },
      { source: 'deductionRules', type: 'json' },
    ],
  },
  {
    name: 'zones',
    search: true,
    recordLabel: 'name',
    fields: [
      contract,
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'level',
        type: 'enum',
        choices: enumOf('zoneLevel', ['district', 'street', 'community', 'grid']),
        required: true,
        list: true,
        filter: true,
      },
      { source: 'parentId', type: 'ref', reference: 'zones', display: 'name', list: true },
      { source: 'areaM2', type: 'number', readOnly: true, list: true },
      { source: 'geometry', type: 'geometry', geometry: 'Polygon', required: true },
    ],
  },
  {
    name: 'routes',
    search: true,
    recordLabel: 'name',
    fields: [
      contract,
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'serviceLine',
        type: 'enum',
        choices: enumOf('serviceLine', SERVICE_LINES),
        required: true,
        list: true,
        filter: true,
      },
      { source: 'zoneId', type: 'ref', reference: 'zones', display: 'name', list: true },
      { source: 'passesPerDay', type: 'number', required: true, list: true },
      {
        source: 'requiredOperation',
        type: 'enum',
        choices: enumOf('operation', ['sweep', 'spray', 'lift', 'none']),
        required: true,
        list: true,
      },
      { source: 'lengthM', type: 'number', readOnly: true, list: true },
      { source: 'geometry', type: 'geometry', geometry: 'LineString', required: true },
    ],
  },
  {
    name: 'sites',
    search: true,
    recordLabel: 'name',
    fields: [
      contract,
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'kind',
        type: 'enum',
        choices: enumOf('siteKind', ['collection_point', 'checkpoint', 'green_area']),
        required: true,
        list: true,
        filter: true,
      },
      { source: 'zoneId', type: 'ref', reference: 'zones', display: 'name', list: true },
      { source: 'bins', type: 'number' },
      {
        source: 'serviceLine',
        type: 'enum',
        choices: enumOf('serviceLine', SERVICE_LINES),
        readOnly: true,
        list: true,
      },
      { source: 'geometry', type: 'geometry', required: true },
    ],
  },
  {
    name: 'vehicles',
    search: true,
    recordLabel: 'plate',
    fields: [
      contract,
      { source: 'plate', type: 'text', required: true, list: true },
      {
        source: 'type',
        type: 'enum',
        choices: enumOf('vehicleType', [
          'sweeper',
          'washer',
          'sprinkler',
          'compactor_truck',
          'patrol_car',
          'pickup',
        ]),
        required: true,
        list: true,
        filter: true,
      },
      { source: 'teamId', type: 'ref', reference: 'teams', display: 'name', list: true },
      { source: 'model', type: 'text', list: true },
    ],
  },
  {
    name: 'teams',
    search: true,
    recordLabel: 'name',
    fields: [
      contract,
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'serviceLine',
        type: 'enum',
        choices: enumOf('serviceLine', SERVICE_LINES),
        required: true,
        list: true,
        filter: true,
      },
    ],
  },
  {
    name: 'workers',
    search: true,
    recordLabel: 'name',
    fields: [
      contract,
      { source: 'employeeNo', type: 'text', required: true, list: true },
      { source: 'name', type: 'text', required: true, list: true },
      { source: 'role', type: 'text', required: true, list: true },
      { source: 'teamId', type: 'ref', reference: 'teams', display: 'name', list: true },
      { source: 'phone', type: 'text' },
    ],
  },
  {
    name: 'devices',
    recordLabel: 'id',
    fields: [
      { source: 'id', type: 'text', createOnly: true, required: true, list: true },
      {
        source: 'kind',
        type: 'enum',
        choices: enumOf('deviceKind', ['gps', 'badge']),
        createOnly: true,
        required: true,
        list: true,
        filter: true,
      },
      contract,
      { source: 'vehicleId', type: 'ref', reference: 'vehicles', display: 'plate', list: true },
      { source: 'workerId', type: 'ref', reference: 'workers', display: 'name', list: true },
      { source: 'enabled', type: 'bool', list: true, filter: true },
      { source: 'label', type: 'text', list: true },
    ],
  },
  {
    name: 'shifts',
    recordLabel: 'name',
    fields: [
      contract,
      { source: 'name', type: 'text', required: true, list: true },
      {
        source: 'assigneeType',
        type: 'enum',
        choices: enumOf('assigneeType', ['worker', 'team', 'vehicle']),
        required: true,
        list: true,
        filter: true,
      },
      { source: 'assigneeId', type: 'text', required: true, list: true },
      {
        source: 'targetType',
        type: 'enum',
        choices: enumOf('targetType', ['zone', 'route']),
        required: true,
        list: true,
      },
      { source: 'targetId', type: 'text', required: true, list: true },
      { source: 'days', type: 'weekdays', required: true, list: true },
      { source: 'start', type: 'time', required: true, list: true },
      { source: 'end', type: 'time', required: true, list: true },
      { source: 'validFrom', type: 'date', required: true },
      { source: 'validTo', type: 'date' },
      { source: 'graceMinutes', type: 'number' },
    ],
  },
  {
    name: 'users',
    recordLabel: 'username',
    fields: [
      { source: 'username', type: 'text', required: true, createOnly: true, list: true },
      { source: 'displayName', type: 'text', list: true },
      {
        source: 'role',
        type: 'enum',
        choices: enumOf('role', ['admin', 'operator_manager', 'dispatcher', 'field_worker', 'gov_reviewer']),
        required: true,
        list: true,
        filter: true,
      },
      { source: 'operatorId', type: 'ref', reference: 'operators', display: 'name', list: true },
      { source: 'agencyId', type: 'ref', reference: 'agencies', display: 'name', list: true },
      { source: 'password', type: 'text', writeOnly: true },
      { source: 'disabled', type: 'bool', list: true },
    ],
  },
  {
    name: 'audit-log',
    readOnly: true,
    sort: { field: 'seq', order: 'DESC' },
    fields: [
      { source: 'seq', type: 'number', list: true },
      { source: 'at', type: 'datetime', list: true },
      { source: 'actor.username', type: 'text', list: true },
      { source: 'action', type: 'text', list: true, filter: true },
      { source: 'resource', type: 'text', list: true, filter: true },
      { source: 'resourceId', type: 'text', list: true, filter: true },
      { source: 'before', type: 'json' },
      { source: 'after', type: 'json' },
      { source: 'hash', type: 'text' },
    ],
  },
  {
    name: 'categories',
    readOnly: true,
    fields: [
      { source: 'code', type: 'text', list: true },
      { source: 'name', type: 'text', list: true },
    ],
  },
  {
    name: 'calendars',
    readOnly: true,
    fields: [{ source: 'name', type: 'text', list: true }],
  },
];

export function specOf(name: string): ResourceSpec {
  const s = SPECS.find((x) => x.name === name);
  if (!s) throw new Error(`no spec for resource ${name}`);
  return s;
}

/** Geometry type a site needs: points for collection points and checkpoints, polygons for green areas. */
export function siteGeometryType(kind: string | undefined): 'Point' | 'Polygon' {
  return kind === 'green_area' ? 'Polygon' : 'Point';
}
