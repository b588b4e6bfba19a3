import { MongoClient, type Db } from 'mongodb';

/** Opens a driver connection; the database is the one named in the URL. */
export async function connectMongo(url: string, appName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(url, { appName, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  return { client, db: client.db() };
}

/** MongoDB duplicate-key error code; FerretDB returns the same. */
export const DUPLICATE_KEY = 11000;
