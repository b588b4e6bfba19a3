import type { Db, IndexDescription } from 'mongodb';

/** Collection names in one place: the services, the tests and the docs speak of the same ones. */
export const COLLECTIONS = {
  telemetry: 'telemetry',
  deadLetters: 'dead_letters',
  deviceState: 'device_state',
  devices: 'devices',
  ingestStats: 'ingest_stats',
} as const;

/**
 * Indexes the telemetry spine relies on. Only plain and unique indexes: FerretDB v1 has no TTL, geospatial or
 * partial indexes, and the same definitions must work on MongoDB 7.
 */
export const INDEXES: Record<string, IndexDescription[]> = {
  [COLLECTIONS.telemetry]: [
    // Exactly-once storage: a redelivered or duplicated record hits this and is absorbed.
    { key: { deviceId: 1, seq: 1, ts: 1 }, name: 'device_seq_ts', unique: true },
    // Track playback and evidence windows read one device over a time range.
    { key: { deviceId: 1, ts: 1 }, name: 'device_ts' },
  ],
  [COLLECTIONS.deadLetters]: [{ key: { receivedAt: 1 }, name: 'received_at' }, { key: { deviceId: 1 }, name: 'device' }],
  [COLLECTIONS.deviceState]: [{ key: { kind: 1 }, name: 'kind' }],
  [COLLECTIONS.devices]: [{ key: { kind: 1, enabled: 1 }, name: 'kind_enabled' }],
};

/** Idempotent. One index per command: FerretDB v1.24 panics on a createIndexes of several that already exist. */
export async function ensureIndexes(db: Db, indexes: Record<string, IndexDescription[]> = INDEXES): Promise<void> {
  for (const [name, specs] of Object.entries(indexes)) {
    for (const spec of specs) await db.collection(name).createIndexes([spec]);
  }
}
