import { setTimeout as sleep } from 'node:timers/promises';
import type { TelemetryBatchStored } from '@dwg/contracts';
import type { JournalEntry, RedisJournal } from '../journal/redis-journal';
import type { TelemetryRepository, WriteResult } from '../persistence/telemetry.repository';
import type { BatchEvents } from '../events/batch-events';
import { buildBatch, type Batch } from './batch';
import type { IngestMetrics } from '../http/metrics';
import type { DeviceStateBuffer } from '../persistence/device-state.buffer';
import type { LivePublisher } from '../events/live-publisher';

export interface BatchWriterOptions {
  instanceId: string;
  batchMax: number;
  lingerMs: number;
  lateAfterMs: number;
  /** MongoDB inserts in flight at once (default 1). */
  insertConcurrency?: number;
  /** How often to look for entries abandoned by another instance. */
  claimEveryMs: number;
}

export interface BatchWriterLogger {
  log(msg: string): void;
  error(msg: string, err?: unknown): void;
}

/**
 * Moves journal entries into MongoDB in bounded batches: read → decode → write → publish one event → remove from
 * the journal. An entry leaves the journal only after its batch is durable in MongoDB, so a crash at any point
 * replays it, and the unique index makes the replay harmless.
 */
export class BatchWriter {
  private running = false;
  private loop: Promise<void> | null = null;
  private lastClaim = 0;

  constructor(
    private readonly journal: RedisJournal,
    private readonly repo: TelemetryRepository,
    private readonly events: BatchEvents,
    private readonly deviceState: DeviceStateBuffer,
    private readonly opts: BatchWriterOptions,
    private readonly log: BatchWriterLogger,
    private readonly metrics?: IngestMetrics,
    private readonly live?: LivePublisher,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand is written; entries not yet read stay in the journal for the next reader. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Writes everything this instance can read now, for shutdown and tests. */
  async drain(): Promise<void> {
    for (;;) {
      const entries = await this.journal.readNew(this.opts.batchMax, 0);
      if (entries.length === 0) return;
      await this.writeWithRetry(entries);
    }
  }

  private async run(): Promise<void> {
    // First what this instance read but did not finish before it last stopped.
    for (;;) {
      const pending = await this.retrying(() => this.journal.readOwnPending(this.opts.batchMax));
      if (!pending || pending.length === 0) break;
      await this.writeWithRetry(pending);
    }
    // Then a pipeline: while batch k is being inserted, batch k+1 is read and decoded, and earlier batches' events
    // and journal acknowledgements go out; so the database, the slowest part, never waits for Redis or for
    // decoding. Up to `insertConcurrency` inserts in flight (a second one lets the database server prepare a batch
    // while it commits the other), and at most that many plus one batches finishing: memory stays bounded.
    const inserting: Promise<unknown>[] = [];
    const finishing: Promise<void>[] = [];
    const concurrency = Math.max(1, this.opts.insertConcurrency ?? 1);
    try {
      while (this.running) {
        let entries = await this.retrying(() => this.nextBatch());
        if (!entries || entries.length === 0) continue;
        // A part-full batch waits for the insert in flight and is topped up meanwhile: concurrent inserts pay off
        // only with full batches, small ones cost the database more per record.
        while (inserting.length > 0 && entries.length < this.opts.batchMax) {
          await inserting.shift();
          const more = await this.retrying(() =>
            this.journal.readNew(this.opts.batchMax - entries!.length, 0),
          );
          if (more?.length) entries = entries.concat(more);
        }
        const started = process.hrtime.bigint();
        const batch = buildBatch(entries, this.opts.lateAfterMs);
        while (inserting.length >= concurrency) await inserting.shift();
        while (finishing.length > concurrency) await finishing.shift();
        const stored = this.retryUntilStopped('insert', entries.length, () => this.timedInsert(batch));
        inserting.push(stored.catch(() => undefined));
        const before = finishing[finishing.length - 1] ?? Promise.resolve();
        finishing.push(
          Promise.all([stored, before]).then(([result]) =>
            this.retryUntilStopped('acknowledge', entries.length, () =>
              this.finish(entries, batch, result, started),
            ),
          ),
        );
      }
    } finally {
      // On shutdown, unfinished batches stay pending under this instance's name and are replayed at its next start.
      await Promise.allSettled([...inserting, ...finishing]);
    }
  }

  private async nextBatch(): Promise<JournalEntry[]> {
    if (Date.now() - this.lastClaim > this.opts.claimEveryMs) {
      this.lastClaim = Date.now();
      const claimed = await this.journal.claimAbandoned(this.opts.batchMax);
      if (claimed.length) {
        this.log.log(`took over ${claimed.length} journal entries abandoned by another instance`);
        return claimed;
      }
    }
    const first = await this.journal.readNew(this.opts.batchMax, 1000);
    if (first.length === 0 || first.length >= this.opts.batchMax || this.opts.lingerMs === 0) return first;
    // Linger briefly so a trickle of messages still makes batches rather than one write per message.
    await sleep(this.opts.lingerMs);
    const more = await this.journal.readNew(this.opts.batchMax - first.length, 0);
    return first.concat(more);
  }

  private async writeWithRetry(entries: JournalEntry[]): Promise<void> {
    const started = process.hrtime.bigint();
    const batch = buildBatch(entries, this.opts.lateAfterMs);
    const result = await this.retryUntilStopped('insert', entries.length, () => this.timedInsert(batch));
    await this.retryUntilStopped('acknowledge', entries.length, () =>
      this.finish(entries, batch, result, started),
    );
  }

  private async timedInsert(batch: Batch): Promise<WriteResult> {
    const t0 = process.hrtime.bigint();
    const result = await this.repo.write(batch);
    this.metrics?.insertSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    this.metrics?.batchEntries.observe(batch.entryIds.length);
    return result;
  }

  /** Retries with backoff; gives up only when the writer is stopping (the entries then stay in the journal). */
  private async retryUntilStopped<T>(step: string, n: number, fn: () => Promise<T>): Promise<T> {
    let delay = 200;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        this.log.error(`${step} of a batch of ${n} entries failed; retrying in ${delay} ms`, e);
        this.metrics?.batchFailures.inc();
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
        if (!this.running) throw e;
      }
    }
  }

  /** After the batch is durable: device state, one event for the batch, then the entries leave the journal. */
  private async finish(
    entries: JournalEntry[],
    batch: Batch,
    result: WriteResult,
    started: bigint,
  ): Promise<void> {
    this.deviceState.merge(batch);
    // Right after the insert, before the BullMQ event: the live map sees a fix within milliseconds of storage.
    this.live?.publish(batch);
    if (batch.points.length || batch.deadLetters.length) {
      let minTs: Date | null = null;
      let maxTs: Date | null = null;
      const byKind = { gps: 0, badge: 0 };
      let late = 0;
      for (const p of batch.points) {
        byKind[p.kind]++;
        if (p.late) late++;
        if (!minTs || p.ts < minTs) minTs = p.ts;
        if (!maxTs || p.ts > maxTs) maxTs = p.ts;
      }
      const event: TelemetryBatchStored = {
        batchId: `${entries[0].id}..${entries[entries.length - 1].id}`,
        instanceId: this.opts.instanceId,
        storedAt: new Date().toISOString(),
        inserted: result.inserted,
        duplicates: result.duplicates,
        deadLetters: result.deadLetters,
        late,
        byKind,
        deviceIds: [...batch.latest.keys()],
        minTs: minTs?.toISOString() ?? null,
        maxTs: maxTs?.toISOString() ?? null,
      };
      await this.events.stored(event);
    }
    await this.journal.complete(batch.entryIds);
    if (this.metrics) {
      this.metrics.recordsStored.inc(result.inserted);
      this.metrics.duplicates.inc(result.duplicates);
      this.metrics.deadLetters.inc(result.deadLetters);
      this.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      this.metrics.journalLength.set(this.journal.approximateLength);
      const now = Date.now();
      for (const e of entries) this.metrics.latencySeconds.observe((now - e.receivedAt.getTime()) / 1000);
    }
  }

  /** Runs a journal read, logging and pausing on Redis errors instead of ending the loop. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (e) {
      this.log.error('journal read failed', e);
      await sleep(500);
      return null;
    }
  }
}
