import { MongoClient, type AnyBulkWriteOperation, type Collection, type Db, type Document } from 'mongodb';

/** Opens a driver connection; the database is the one named in the URL. */
export async function connectMongo(url: string, appName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(url, { appName, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return { client, db: client.db() };
}

/** MongoDB duplicate-key error code; FerretDB returns the same. */
export const DUPLICATE_KEY = 11000;

/** An id usable as a field name: `%`, `.` and `$` escaped as `%XX` (field names cannot hold dots or start with `$`). */
export function escapeFieldName(id: string): string {
  return id.replace(/[%.$]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Most update/replace/upsert statements one write command may carry. FerretDB v1.24 keeps the read cursor of every
 * matched statement of a command open until the command ends, and on its PostgreSQL backend each cursor holds one
 * of its pool's 50 connections while the statement's own write needs another: a command of 50 matched statements
 * waits forever for a connection (seen here: ingest's device-state flush stalled FerretDB/PostgreSQL for good). Small
 * commands keep every command's needs far below the pool, with room for the commands of other clients.
 */
export const WRITE_STATEMENTS_PER_COMMAND = 10;

/**
 * Unordered bulkWrite in commands of at most WRITE_STATEMENTS_PER_COMMAND statements, one after the other.
 * Returns the modified count and the upserted ids by their index in `ops`.
 */
export async function bulkWriteInCommands<T extends Document>(
  col: Collection<T>,
  ops: AnyBulkWriteOperation<T>[],
): Promise<{ modifiedCount: number; upsertedIds: Record<number, unknown> }> {
  const out = { modifiedCount: 0, upsertedIds: {} as Record<number, unknown> };
  for (let i = 0; i < ops.length; i += WRITE_STATEMENTS_PER_COMMAND) {
    const res = await col.bulkWrite(ops.slice(i, i + WRITE_STATEMENTS_PER_COMMAND), { ordered: false });
    out.modifiedCount += res.modifiedCount;
    for (const [idx, id] of Object.entries(res.upsertedIds)) out.upsertedIds[i + Number(idx)] = id;
  }
  return out;
}
