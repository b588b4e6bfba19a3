import type { Collection, Db } from 'mongodb';
import { COLLECTIONS, DUPLICATE_KEY } from '@dwg/persistence';
import { GENESIS_HASH, link, type AuditContent, type AuditEntry } from './audit-chain';

/**
 * Stored form of an entry: `before` and `after` as their canonical JSON text, because FerretDB v1 stores no nested
 * arrays (GeoJSON has them). The hash covers the parsed values, so editing the text breaks the chain as well.
 */
type StoredEntry = Omit<AuditEntry, 'before' | 'after'> & { before: string; after: string };

function encode(e: AuditEntry): StoredEntry {
  return { ...e, before: JSON.stringify(e.before ?? null), after: JSON.stringify(e.after ?? null) };
}

function parse(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v; // tampered into something that is not JSON: verification will report it
  }
}

export function decodeEntry(s: StoredEntry | null): AuditEntry | null {
  return s && { ...s, before: parse(s.before), after: parse(s.after) };
}

/** Append-only store of the audit chain. Nothing here updates or deletes an entry. */
export class AuditRepository {
  readonly col: Collection<StoredEntry>;

  constructor(db: Db) {
    this.col = db.collection<StoredEntry>(COLLECTIONS.auditLog);
  }

  /**
   * Appends one entry after the current last one. Concurrent writers (other requests, other replicas) race for
   * the next seq; the unique index lets one win and the others re-read the tail and try again.
   */
  async append(content: AuditContent, attempts = 50): Promise<AuditEntry> {
    for (let i = 0; i < attempts; i++) {
      const [last] = await this.col
        .find({}, { sort: { seq: -1 }, limit: 1, projection: { seq: 1, hash: 1 } })
        .toArray();
      const entry = link((last?.seq ?? 0) + 1, last?.hash ?? GENESIS_HASH, content);
      try {
        await this.col.insertOne(encode(entry));
        return entry;
      } catch (e) {
        if ((e as { code?: number }).code !== DUPLICATE_KEY) throw e;
      }
    }
    throw new Error(`audit log: could not append after ${attempts} attempts (contention)`);
  }

  async list(filter: Record<string, unknown>, sort: Record<string, 1 | -1>, skip: number, limit: number) {
    const [rows, total] = await Promise.all([
      this.col.find(filter, { sort, skip, limit }).toArray(),
      this.col.countDocuments(filter),
    ]);
    return { rows: rows.map((r) => decodeEntry(r)!), total };
  }

  async findOne(filter: Record<string, unknown>) {
    return decodeEntry(await this.col.findOne(filter));
  }

  /** The whole chain in order, streamed. */
  async *entries(): AsyncGenerator<AuditEntry> {
    for await (const s of this.col.find({}, { sort: { seq: 1 } })) yield decodeEntry(s)!;
  }
}
