import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one ingest instance, served at /metrics. */
export class IngestMetrics {
  readonly registry = new Registry();
  readonly messagesReceived = new Counter({
    name: 'dwg_ingest_messages_received_total',
    help: 'MQTT messages journaled and acknowledged',
    registers: [this.registry],
  });
  readonly recordsStored = new Counter({
    name: 'dwg_ingest_records_stored_total',
    help: 'Records newly stored',
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'dwg_ingest_duplicates_total',
    help: 'Records absorbed as duplicates',
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'dwg_ingest_dead_letters_total',
    help: 'Rejected records or messages kept with their reason',
    registers: [this.registry],
  });
  readonly batchFailures = new Counter({
    name: 'dwg_ingest_batch_failures_total',
    help: 'Batch writes that failed and were retried',
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'dwg_ingest_batch_seconds',
    help: 'Time to write one batch',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly insertSeconds = new Histogram({
    name: 'dwg_ingest_insert_seconds',
    help: 'Time of the MongoDB insert of one batch (its sum over wall time is how busy the writer keeps the database)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly batchEntries = new Histogram({
    name: 'dwg_ingest_batch_entries',
    help: 'Journal entries (messages) per batch',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500],
    registers: [this.registry],
  });
  readonly latencySeconds = new Histogram({
    name: 'dwg_ingest_latency_seconds',
    help: 'From receipt to durable in MongoDB',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly journalLength = new Gauge({
    name: 'dwg_ingest_journal_length',
    help: 'Entries waiting in the Redis journal',
    registers: [this.registry],
  });
}
