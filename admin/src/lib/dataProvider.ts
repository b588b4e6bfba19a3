import { forFields } from './errors';
import type { ApiClient } from './http';

/**
 * react-admin data provider for the api's simple-REST conventions: lists take `sort=["f","ASC"]`,
 * `range=[start,end]` (inclusive) and `filter={…}` and answer with `Content-Range: <r> start-end/total`;
 * records are JSON with a string `id`. Beyond CRUD it exposes the api's actions (alarm acknowledge, work-order
 * transitions, credential rotation, assessment actions) and downloads.
 */
export interface ListParams {
  pagination?: { page: number; perPage: number };
  sort?: { field: string; order: 'ASC' | 'DESC' | string };
  filter?: Record<string, unknown>;
  meta?: unknown;
  signal?: AbortSignal;
}

type Rec = { id: string | number; [k: string]: unknown };

export const MAX_PAGE_SIZE = 500;

export function listQuery(params: ListParams): Record<string, string> {
  const { page, perPage } = params.pagination ?? { page: 1, perPage: 25 };
  const start = (page - 1) * perPage;
  const q: Record<string, string> = {
    range: JSON.stringify([start, start + perPage - 1]),
    filter: JSON.stringify(cleanFilter(params.filter ?? {})),
  };
  if (params.sort?.field)
    q.sort = JSON.stringify([params.sort.field, String(params.sort.order).toUpperCase()]);
  return q;
}

/** Drops empty filter values (an emptied input must not filter on ""). */
export function cleanFilter(filter: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(filter).filter(
      ([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0),
    ),
  );
}

export function totalOf(contentRange: string | null, fallback: number): number {
  if (!contentRange) return fallback;
  const m = /\/(\d+|\*)\s*$/.exec(contentRange);
  return m && m[1] !== '*' ? Number(m[1]) : fallback;
}

/** A form value holding files (react-admin's FileInput gives `{rawFile, src, title}`). */
function hasFiles(data: Record<string, unknown>): boolean {
  return Object.values(data).some((v) => (Array.isArray(v) ? v.some(isFileValue) : isFileValue(v)));
}
function isFileValue(v: unknown): v is { rawFile: Blob; title?: string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    'rawFile' in v &&
    (v as { rawFile: unknown }).rawFile instanceof Blob
  );
}

/** Multipart body for creates with photos: scalar fields as text, objects as JSON, files under their field name. */
export function toFormData(data: Record<string, unknown>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined || v === null) continue;
    const items = Array.isArray(v) && v.some(isFileValue) ? v : [v];
    for (const item of items) {
      if (isFileValue(item)) fd.append(k, item.rawFile, item.title ?? 'photo.jpg');
      else fd.append(k, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
  return fd;
}

export function createDataProvider(api: ApiClient) {
  const path = (resource: string, id?: string | number) =>
    `/api/${resource}${id !== undefined ? `/${encodeURIComponent(String(id))}` : ''}`;

  const getList = async (resource: string, params: ListParams) => {
    const { headers, json } = await api.request<Rec[]>(path(resource), {
      query: listQuery(params),
      signal: params.signal,
    });
    return { data: json, total: totalOf(headers.get('Content-Range'), json.length) };
  };

  return {
    getList,
    async getOne(resource: string, params: { id: string | number; signal?: AbortSignal }) {
      const { json } = await api.request<Rec>(path(resource, params.id), { signal: params.signal });
      return { data: json };
    },
    async getMany(resource: string, params: { ids: (string | number)[]; signal?: AbortSignal }) {
      if (!params.ids.length) return { data: [] };
      const out: Rec[] = [];
      for (let i = 0; i < params.ids.length; i += MAX_PAGE_SIZE) {
        const ids = params.ids.slice(i, i + MAX_PAGE_SIZE);
        const { data } = await getList(resource, {
          pagination: { page: 1, perPage: ids.length },
          filter: { id: ids },
          signal: params.signal,
        });
        out.push(...data);
      }
      return { data: out };
    },
    async getManyReference(resource: string, params: ListParams & { target: string; id: string | number }) {
      return getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } });
    },
    async create(resource: string, params: { data: Record<string, unknown> }) {
      const multipart = hasFiles(params.data);
      try {
        const { json } = await api.request<Rec>(path(resource), {
          method: 'POST',
          ...(multipart ? { body: toFormData(params.data) } : { json: params.data }),
        });
        return { data: json };
      } catch (e) {
        throw forFields(e, Object.keys(params.data));
      }
    },
    async update(
      resource: string,
      params: { id: string | number; data: Record<string, unknown>; previousData?: Record<string, unknown> },
    ) {
      try {
        const { json } = await api.request<Rec>(path(resource, params.id), {
          method: 'PUT',
          json: changedFields(params.data, params.previousData),
        });
        return { data: json };
      } catch (e) {
        throw forFields(e, Object.keys(params.data));
      }
    },
    async updateMany(resource: string, params: { ids: (string | number)[]; data: Record<string, unknown> }) {
      for (const id of params.ids)
        await api.request(path(resource, id), { method: 'PUT', json: params.data });
      return { data: params.ids };
    },
    async delete(resource: string, params: { id: string | number }) {
      const { json } = await api.request<Rec>(path(resource, params.id), { method: 'DELETE' });
      return { data: json };
    },
    async deleteMany(resource: string, params: { ids: (string | number)[] }) {
      for (const id of params.ids) await api.request(path(resource, id), { method: 'DELETE' });
      return { data: params.ids };
    },
    /** POST /api/<resource>/:id/<action…> with an optional body (acknowledge, close, actions/dispatch, appeal…). */
    async action(resource: string, id: string | number, action: string, body?: unknown) {
      const { json } = await api.request<Rec>(`${path(resource, id)}/${action}`, {
        method: 'POST',
        ...(body instanceof FormData ? { body } : { json: body ?? {} }),
      });
      return { data: json };
    },
    /** Issues a new device secret; the answer is the only time it is shown. */
    async rotateCredentials(id: string) {
      const { json } = await api.request<{ deviceId: string; kind: string; secret: string }>(
        `${path('devices', id)}/credentials`,
        { method: 'POST' },
      );
      return { data: json };
    },
    /** Any GET of the api (KPIs, live snapshot, tracks). */
    async get<T>(p: string, query?: Record<string, string | number | undefined>) {
      const { json } = await api.request<T>(p, { query });
      return json;
    },
    /** Every record of a list, page by page (the api caps a page at 500). */
    async getAll(resource: string, filter: Record<string, unknown> = {}, max = 20_000) {
      const out: Rec[] = [];
      for (let page = 1; out.length < max; page++) {
        const { data, total } = await getList(resource, {
          pagination: { page, perPage: MAX_PAGE_SIZE },
          filter,
        });
        out.push(...data);
        if (data.length < MAX_PAGE_SIZE || out.length >= total) break;
      }
      return out;
    },
    /** Downloads a file (XLSX/PDF/CSV export) with the bearer token and returns it as a Blob with its name. */
    async download(p: string, query?: Record<string, string | number | undefined>) {
      const { json: res } = await api.request<Response>(p, { query, raw: true });
      const cd = res.headers.get('Content-Disposition') ?? '';
      const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd)?.[1];
      return { blob: await res.blob(), filename: name ? decodeURIComponent(name) : p.split('/').pop()! };
    },
  };
}

export type DwgDataProvider = ReturnType<typeof createDataProvider>;

/**
 * react-admin sends the whole record on update; the api accepts that but refuses changes to server-computed
 * fields, so only what changed is sent (and `null` for a cleared optional field).
 */
export function changedFields(
  data: Record<string, unknown>,
  previous?: Record<string, unknown>,
): Record<string, unknown> {
  if (!previous) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (JSON.stringify(v) !== JSON.stringify(previous[k])) out[k] = v === undefined || v === '' ? null : v;
  }
  delete out.id;
  return out;
}
