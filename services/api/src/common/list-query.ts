import type { Collection, Document, Filter, Sort, WithId } from 'mongodb';
import { badRequest } from './domain-error';

/** Largest page a list returns; a larger `range` is refused with a 400 that says so (OWASP API4). */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 25;
/** Largest span of a time-range filter (`<field>_gte` / `<field>_lte`). */
export const MAX_TIME_SPAN_DAYS = 31;

export type FieldType = 'string' | 'number' | 'boolean' | 'date';

export interface ListSpec {
  /** Filterable fields and their types; `id` is always filterable (react-admin's getMany sends {"id":[...]}). */
  filters: Record<string, FieldType>;
  sortable: string[];
  /** Fields matched case-insensitively by the full-text filter `q`. */
  search?: string[];
  /** Date fields whose `_gte`/`_lte` filters form a time range with a capped span. */
  timeRanges?: string[];
}

export interface ListQuery {
  filter: Record<string, unknown>;
  sort: Record<string, 1 | -1>;
  skip: number;
  limit: number;
  /** First index of the page, for Content-Range. */
  start: number;
}

function parseJson(name: string, raw: unknown): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw badRequest(`${name} must be a JSON string`);
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest(`${name} is not valid JSON: ${raw.slice(0, 100)}`);
  }
}

function escapeRegex(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function coerce(field: string, type: FieldType, v: unknown): unknown {
  const bad = () => badRequest(`filter ${field} must be a ${type}${type === 'date' ? ' (ISO 8601)' : ''}`);
  switch (type) {
    case 'string':
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      throw bad();
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      throw bad();
    case 'boolean':
      if (typeof v === 'boolean') return v;
      throw bad();
    case 'date': {
      if (typeof v !== 'string' && typeof v !== 'number') throw bad();
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw bad();
      return d;
    }
  }
}

/**
 * Parses react-admin simple-REST list parameters: `sort=["field","ASC"]`, `range=[0,24]` (inclusive) and
 * `filter={"field":value,"ids":[...],"q":"text"}`. Unknown fields and oversized pages are 400s, never ignored.
 */
export function parseListQuery(
  spec: ListSpec,
  query: { sort?: unknown; range?: unknown; filter?: unknown },
  now = new Date(),
): ListQuery {
  // sort
  const sortRaw = parseJson('sort', query.sort);
  let sort: Record<string, 1 | -1> = { _id: 1 };
  if (sortRaw !== undefined) {
    if (
      !Array.isArray(sortRaw) ||
      sortRaw.length !== 2 ||
      typeof sortRaw[0] !== 'string' ||
      !['ASC', 'DESC'].includes(String(sortRaw[1]).toUpperCase())
    )
      throw badRequest('sort must be ["field","ASC"|"DESC"]');
    const field = sortRaw[0] === 'id' ? '_id' : sortRaw[0];
    if (field !== '_id' && !spec.sortable.includes(field))
      throw badRequest(`cannot sort by "${sortRaw[0]}"; sortable fields: id, ${spec.sortable.join(', ')}`);
    const dir = String(sortRaw[1]).toUpperCase() === 'ASC' ? 1 : -1;
    sort = field === '_id' ? { _id: dir } : { [field]: dir, _id: dir };
  }
  // range
  const rangeRaw = parseJson('range', query.range);
  let start = 0;
  let end = DEFAULT_PAGE_SIZE - 1;
  if (rangeRaw !== undefined) {
    if (
      !Array.isArray(rangeRaw) ||
      rangeRaw.length !== 2 ||
      !rangeRaw.every((n) => Number.isInteger(n) && n >= 0) ||
      rangeRaw[1] < rangeRaw[0]
    )
      throw badRequest('range must be [start,end] with integers 0 <= start <= end');
    [start, end] = rangeRaw as [number, number];
  }
  if (end - start + 1 > MAX_PAGE_SIZE)
    throw badRequest(`range covers ${end - start + 1} records; the limit is ${MAX_PAGE_SIZE} per page`);
  // filter
  const filterRaw = parseJson('filter', query.filter) ?? {};
  if (typeof filterRaw !== 'object' || filterRaw === null || Array.isArray(filterRaw))
    throw badRequest('filter must be a JSON object');
  const clauses: Record<string, unknown>[] = [];
  const ranges = new Map<string, { gte?: Date; lte?: Date }>();
  for (const [key, value] of Object.entries(filterRaw as Record<string, unknown>)) {
    if (key === 'q') {
      if (typeof value !== 'string') throw badRequest('filter q must be a string');
      if (!spec.search?.length) throw badRequest('this resource has no full-text filter q');
      if (value.length > 100) throw badRequest('filter q may be at most 100 characters');
      const re = { $regex: escapeRegex(value), $options: 'i' };
      clauses.push({ $or: spec.search.map((f) => ({ [f]: re })) });
      continue;
    }
    if (key === 'id' || key === 'ids') {
      const ids = Array.isArray(value) ? value : [value];
      if (ids.length > MAX_PAGE_SIZE) throw badRequest(`filter id may list at most ${MAX_PAGE_SIZE} ids`);
      if (!ids.every((i) => typeof i === 'string' || typeof i === 'number'))
        throw badRequest('filter id must be ids');
      clauses.push({ _id: { $in: ids.map(String) } });
      continue;
    }
    const m = /^(.+)_(gte|lte)$/.exec(key);
    if (m && spec.timeRanges?.includes(m[1])) {
      const d = coerce(key, 'date', value) as Date;
      const r = ranges.get(m[1]) ?? {};
      r[m[2] as 'gte' | 'lte'] = d;
      ranges.set(m[1], r);
      continue;
    }
    const type = spec.filters[key];
    if (!type) {
      const known = [
        'id',
        ...(spec.search?.length ? ['q'] : []),
        ...Object.keys(spec.filters),
        ...(spec.timeRanges ?? []).flatMap((f) => [`${f}_gte`, `${f}_lte`]),
      ];
      throw badRequest(`cannot filter by "${key}"; filterable: ${known.join(', ')}`);
    }
    if (Array.isArray(value)) {
      if (value.length > MAX_PAGE_SIZE)
        throw badRequest(`filter ${key} may list at most ${MAX_PAGE_SIZE} values`);
      clauses.push({ [key]: { $in: value.map((v) => coerce(key, type, v)) } });
    } else if (value === null) {
      clauses.push({ [key]: null });
    } else {
      clauses.push({ [key]: coerce(key, type, value) });
    }
  }
  const maxSpanMs = MAX_TIME_SPAN_DAYS * 86_400_000;
  for (const [field, r] of ranges) {
    const lte = r.lte ?? now;
    const gte = r.gte ?? new Date(lte.getTime() - maxSpanMs);
    if (lte.getTime() < gte.getTime()) throw badRequest(`${field}_gte must not be after ${field}_lte`);
    const spanDays = (lte.getTime() - gte.getTime()) / 86_400_000;
    if (spanDays > MAX_TIME_SPAN_DAYS)
      throw badRequest(
        `time range on ${field} spans ${spanDays.toFixed(1)} days; the limit is ${MAX_TIME_SPAN_DAYS} days`,
      );
    clauses.push({ [field]: { $gte: gte, $lte: lte } });
  }
  const filter = clauses.length === 0 ? {} : clauses.length === 1 ? clauses[0] : { $and: clauses };
  return { filter, sort, skip: start, limit: end - start + 1, start };
}

/** `Content-Range: <resource> <start>-<end>/<total>` as react-admin's simple REST provider reads it. */
export function contentRange(resource: string, start: number, count: number, total: number): string {
  if (count === 0) return `${resource} */${total}`;
  return `${resource} ${start}-${start + count - 1}/${total}`;
}

/** One page of a list and the total behind it (for Content-Range). */
export async function findPage<T extends Document>(
  col: Collection<T>,
  where: Filter<T>,
  q: ListQuery,
  sort: Sort = q.sort,
): Promise<{ rows: WithId<T>[]; total: number }> {
  const [rows, total] = await Promise.all([
    col.find(where).sort(sort).skip(q.skip).limit(q.limit).toArray(),
    col.countDocuments(where),
  ]);
  return { rows, total };
}
