/** BullMQ queue and job names shared by producers and processors; a processor refuses to start without a handler for each. */
export const QUEUES = {
  telemetry: 'telemetry',
  /** Task, alarm and work-order changes (see domain-events.ts); consumed by the worker's subscribers. */
  domainEvents: 'domain-events',
} as const;

export const JOBS = {
  telemetry: {
    batchStored: 'batch-stored',
  },
} as const;

/** One event per durable ingest batch, never one per record. */
export interface TelemetryBatchStored {
  batchId: string;
  instanceId: string;
  storedAt: string;
  /** Records newly stored (duplicates absorbed by the unique index are not counted). */
  inserted: number;
  duplicates: number;
  deadLetters: number;
  late: number;
  byKind: { gps: number; badge: number };
  deviceIds: string[];
  /** Range of record timestamps in the batch (ISO), so consumers can read just that window. */
  minTs: string | null;
  maxTs: string | null;
}
