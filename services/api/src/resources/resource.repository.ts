import type { Collection, Db } from 'mongodb';
import type { Doc, ResourceStore } from './resource-def';

/**
 * FerretDB v1 stores no nested arrays, and GeoJSON polygons and lines are nested arrays: the `geometry` member is
 * stored as its JSON text and parsed back on every read. Only this module (and the seed, through it) knows.
 */
export function encodeDoc<T extends Record<string, unknown>>(d: T): T {
  return d.geometry !== undefined && typeof d.geometry !== 'string'
    ? { ...d, geometry: JSON.stringify(d.geometry) }
    : d;
}

export function decodeDoc<T extends Record<string, unknown>>(d: T): T;
export function decodeDoc<T extends Record<string, unknown>>(d: T | null): T | null;
export function decodeDoc<T extends Record<string, unknown>>(d: T | null): T | null {
  return d && typeof d.geometry === 'string' ? { ...d, geometry: JSON.parse(d.geometry) } : d;
}

/** The only code that queries a resource's collection. */
export class ResourceRepository implements ResourceStore {
  readonly col: Collection<Doc>;

  constructor(
    readonly db: Db,
    collection: string,
    private readonly hidden: string[] = [],
  ) {
    this.col = db.collection<Doc>(collection);
  }

  private projection() {
    return this.hidden.length ? Object.fromEntries(this.hidden.map((h) => [h, 0])) : undefined;
  }

  async list(
    filter: Record<string, unknown>,
    sort: Record<string, 1 | -1>,
    skip: number,
    limit: number,
  ): Promise<{ rows: Doc[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.col
        .find(filter, { sort, skip, limit, projection: this.projection() })
        .toArray()
        .then((r) => r.map((d) => decodeDoc(d))),
      this.col.countDocuments(filter),
    ]);
    return { rows, total };
  }

  async findOne(filter: Record<string, unknown>, withHidden = false): Promise<Doc | null> {
    return decodeDoc(await this.col.findOne(filter, withHidden ? {} : { projection: this.projection() }));
  }

  async insert(doc: Doc): Promise<Record<string, unknown>> {
    await this.col.insertOne(encodeDoc(doc));
    return {};
  }

  async update(
    filter: Record<string, unknown>,
    set: Record<string, unknown>,
    unset: string[],
  ): Promise<boolean> {
    const update: Record<string, unknown> = { $set: encodeDoc(set) };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    const res = await this.col.updateOne(filter, update);
    return res.matchedCount > 0;
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.col.deleteOne({ _id: id });
    return res.deletedCount > 0;
  }

  async restore(doc: Doc): Promise<void> {
    await this.col.replaceOne({ _id: doc._id }, encodeDoc(doc), { upsert: true });
  }

  countWhere(collection: string, filter: Record<string, unknown>): Promise<number> {
    return this.db.collection(collection).countDocuments(filter, { limit: 1000 });
  }

  async findIn(collection: string, id: string): Promise<Doc | null> {
    return decodeDoc(await this.db.collection<Doc>(collection).findOne({ _id: id }));
  }

  distinctIds(collection: string, field: string, filter: Record<string, unknown>): Promise<string[]> {
    return this.db
      .collection<Doc>(collection)
      .find(filter, { projection: { [field]: 1 } })
      .toArray()
      .then((rows) => [...new Set(rows.map((r) => String(r[field])))]);
  }
}
