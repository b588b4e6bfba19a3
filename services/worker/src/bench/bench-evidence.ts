/**
 * Evidence benchmark: N telemetry records generated along the simulator's routes go (1) through the pure engine in
 * memory, (2) into MongoDB as raw inserts — the ingest baseline, same records, same batches — and (3) through the
 * worker's own evidence path (event → records → tasks → deltas → journal → folded into the state documents),
 * unthrottled to measure the sustained rate to the state documents, then replayed at the pace the inserts achieved
 * to measure the lag.
 *
 *   node services/worker/dist/bench/bench-evidence.js [--records 200000] [--vehicles 200] [--badges 400]
 *        [--batch 1000] [--concurrency 16] [--buckets 8] [--extras] [--keep-stack]
 * Last line: {"records":N,"evidence_per_s":…,"ingest_per_s":…,"ratio":…,"max_lag_ms":…,…}:
 *   evidence_per_s = records / time from the first job until everything is folded into the state documents
 *   (unthrottled); ratio = that / ingest_per_s; max_lag_ms = worst time from a batch's arrival (paced like the
 *   inserts) to its evidence in the state documents; journal_per_s = records / time until every job completed
 *   (evidence durable in the journal); max_job_lag_ms = the paced lag to a job's completion; paced_folded_per_s =
 *   records / time from the first arrival until everything was folded in the paced run (≤ the ingest rate by
 *   construction).
 */
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import type { BadgeRecord, GpsRecord, TelemetryPoint } from '@dwg/contracts';
import { buildWorld, createDeviceModel, routeCoords, type DeviceModel } from '@dwg/device-sim';
import { down, up } from '@dwg/local-stack';
import { COLLECTIONS, connectMongo, ensureIndexes } from '@dwg/persistence';
import {
  applyDelta,
  compileTask,
  evaluate,
  TaskIndex,
  type EvidenceDoc,
  type EvidenceTask,
  type Operation,
} from '../evidence';
import { encodePoints, type TelemetryBatchStoredWithPoints } from '../jobs/points-codec';
import { WORKER_COLLECTIONS, WORKER_INDEXES } from '../persistence/collections';
import { EvidenceRepository } from '../persistence/evidence.repository';
import { TaskSource } from '../persistence/task.source';
import { toTaskDoc } from '../persistence/task.codec';
import { TelemetryReader } from '../persistence/telemetry.reader';
import { BatchEvidence } from '../pipeline/batch-evidence';
import { EvidenceWriter } from '../pipeline/evidence-writer';
import { Summarizer } from '../pipeline/summarizer';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('records', 200_000);
const VEHICLES = arg('vehicles', 200);
const BADGES = arg('badges', 400);
const BATCH = arg('batch', 1000);
const CONCURRENCY = arg('concurrency', 16);
const BUCKETS = arg('buckets', 8);
const EXTRAS = process.argv.includes('--extras');
const KEEP = process.argv.includes('--keep-stack');
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

interface Generated {
  tasks: EvidenceTask[];
  batches: TelemetryPoint[][];
}

function generate(): Generated {
  const world = buildWorld({ seed: 42 });
  const perSecond = VEHICLES / 5 + BADGES / 30;
  const durationMs = Math.ceil((N / perSecond) * 1000);
  const start = Date.now() - durationMs - 60_000;
  const end = start + durationMs + 120_000;
  const day = new Date(start).toISOString().slice(0, 10);
  const models: DeviceModel[] = [];
  const tasks: EvidenceTask[] = [];
  const OPS: Record<string, Operation> = { sweeper: 'sweep', washer: 'spray' };
  for (let i = 0; i < VEHICLES; i++) {
    const deviceId = `bench-veh-${String(i).padStart(4, '0')}`;
    models.push(
      createDeviceModel(world, { deviceId, kind: 'gps' }, i, { seed: 42, startTs: start, intervalMs: 5000 }),
    );
    const route = world.routes[i % world.routes.length];
    const base = { day, windowStart: start, windowEnd: end, subjects: [deviceId] };
    if (route.vehicleType === 'refuse') {
      const sites = route.legs
        .filter((l) => l.ops)
        .map((l, k) => ({ id: `${route.id}-bin-${k}`, at: l.coords[0] }));
      tasks.push({ ...base, id: `collect-${deviceId}`, spec: { type: 'sites', sites, requireLift: true } });
    } else {
      tasks.push({
        ...base,
        id: `route-${deviceId}`,
        spec: {
          type: 'route',
          routeId: route.id,
          line: routeCoords(route),
          operation: OPS[route.vehicleType],
          passes: route.passes,
        },
      });
    }
    tasks.push({ ...base, id: `online-${deviceId}`, spec: { type: 'online' } });
  }
  for (let i = 0; i < BADGES; i++) {
    const deviceId = `bench-bdg-${String(i).padStart(4, '0')}`;
    models.push(
      createDeviceModel(world, { deviceId, kind: 'badge' }, i, {
        seed: 42,
        startTs: start,
        intervalMs: 30_000,
      }),
    );
    const zone = world.zones[i % world.zones.length];
    tasks.push({
      id: `post-${deviceId}`,
      day,
      windowStart: start + 60_000,
      windowEnd: end,
      subjects: [deviceId],
      spec: { type: 'post', zone: [zone.ring] },
    });
  }
  // Records in time order, as a live fleet sends them, cut into ingest-sized batches.
  const points: TelemetryPoint[] = [];
  for (let t = start; points.length < N; t += 5000) {
    for (const m of models) {
      while (m.nextTs <= t && points.length < N) points.push(toPoint(m.deviceId, m.kind, m.next(), t));
    }
  }
  const batches: TelemetryPoint[][] = [];
  for (let i = 0; i < points.length; i += BATCH) batches.push(points.slice(i, i + BATCH));
  return { tasks, batches };
}

function toPoint(
  deviceId: string,
  kind: 'gps' | 'badge',
  r: GpsRecord | BadgeRecord,
  receivedAt: number,
): TelemetryPoint {
  const p: TelemetryPoint = {
    deviceId,
    kind,
    seq: r.seq,
    ts: new Date(r.ts),
    receivedAt: new Date(receivedAt + 300),
    loc: { type: 'Point', coordinates: [r.lng, r.lat] },
    late: false,
  };
  for (const k of ['acc', 'spd', 'hdg', 'ign', 'ops', 'bat', 'evt'] as const) {
    const v = (r as unknown as Record<string, unknown>)[k];
    if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  }
  return p;
}

function eventFor(batch: TelemetryPoint[], i: number, storedAt: number): TelemetryBatchStoredWithPoints {
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const p of batch) {
    minTs = Math.min(minTs, p.ts.getTime());
    maxTs = Math.max(maxTs, p.ts.getTime());
  }
  return {
    batchId: `${storedAt}-${i}..${storedAt}-${i + 1}`,
    instanceId: 'bench',
    storedAt: new Date(storedAt).toISOString(),
    inserted: batch.length,
    duplicates: 0,
    deadLetters: 0,
    late: 0,
    byKind: {
      gps: batch.filter((p) => p.kind === 'gps').length,
      badge: batch.filter((p) => p.kind === 'badge').length,
    },
    deviceIds: [...new Set(batch.map((p) => p.deviceId))],
    minTs: new Date(minTs).toISOString(),
    maxTs: new Date(maxTs).toISOString(),
    points: encodePoints(batch),
  };
}

/**
 * Runs the worker's evidence path over the events, releasing each at its arrival offset (null = all at once).
 * A batch's lag runs from its arrival until its evidence is folded into the state documents (not merely
 * journalled); the run ends when everything is folded.
 */
async function evidencePath(db: Db, events: TelemetryBatchStoredWithPoints[], arrivals: number[] | null) {
  const repo = new EvidenceRepository(db, { buckets: BUCKETS });
  await repo.clear();
  const writer = new EvidenceWriter(repo);
  const batches = new BatchEvidence(new TelemetryReader(db, 30_000), new TaskSource(db, 60_000), writer);
  const t0 = performance.now();
  let next = 0;
  let maxJobLag = 0;
  const lags: Promise<number>[] = new Array(events.length);
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= events.length) return;
      const due = arrivals ? t0 + arrivals[i] : t0;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      await batches.handle(events[i]);
      maxJobLag = Math.max(maxJobLag, performance.now() - due);
      lags[i] = writer.folded(writer.seq).then(() => performance.now() - due);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const jobsMs = performance.now() - t0;
  await writer.drain();
  const ms = performance.now() - t0;
  const all = await Promise.all(lags);
  const maxLag = Math.max(...all);
  // Worst lag per quarter of the stream, in arrival order: a lag that grew with the backlog or with the state
  // would rise from quarter to quarter.
  const q = Math.ceil(all.length / 4);
  const quarters = [0, 1, 2, 3].map((k) => Math.max(0, ...all.slice(k * q, (k + 1) * q)));
  const meanLag = all.reduce((a, b) => a + b, 0) / all.length;
  const bytes = await stateBytes(db, repo);
  return {
    ms,
    jobsMs,
    maxLag,
    meanLag,
    quarters,
    maxJobLag,
    statements: repo.statements,
    bytes,
    ...writer.stats,
  };
}

/** Size of the state collections (what every update statement scans on FerretDB/SQLite). */
async function stateBytes(db: Db, repo: EvidenceRepository): Promise<number> {
  let n = 0;
  for (const day of await repo.days()) {
    const s = await db.command({ collStats: EvidenceRepository.collectionOf(day) }).catch(() => null);
    n += Number(s?.size ?? 0);
  }
  return n;
}

function describe(r: Awaited<ReturnType<typeof evidencePath>>): string {
  return (
    `${r.journalWrites} journal writes (${fmt(r.journalMs / Math.max(1, r.journalWrites))} ms each), ${r.folds} folds of ${fmt(r.upserts / Math.max(1, r.folds))} task deltas ` +
    `in ${fmt(r.statements / Math.max(1, r.folds))} bucket updates (${fmt(r.foldMs / Math.max(1, r.folds))} ms each, ` +
    `${fmt(r.foldMs / Math.max(1, r.statements))} ms per update), ${fmt(r.skipped)} task deltas skipped as already stored; ` +
    `state collection ${fmt(r.bytes / 1024)} KiB`
  );
}

async function main() {
  log(
    `evidence benchmark: ${fmt(N)} records, ${VEHICLES} vehicles (5 s), ${BADGES} badges (30 s), batches of ${BATCH}, concurrency ${CONCURRENCY}, ${BUCKETS} buckets per day; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const env = await up({ profile: 'bench', services: false, log: () => undefined });
  const dbName = `bench_evidence_${randomBytes(3).toString('hex')}`;
  const { client, db } = await connectMongo(
    env.MONGO_URL.replace(/\/[^/]+$/, `/${dbName}`),
    'bench-evidence',
  );
  try {
    let t = performance.now();
    const { tasks, batches } = generate();
    const records = batches.reduce((n, b) => n + b.length, 0);
    log(`generated ${fmt(records)} records and ${tasks.length} tasks in ${fmt(performance.now() - t)} ms`);

    // (1) Pure domain: compile, evaluate, fold state in memory.
    t = performance.now();
    const index = new TaskIndex(tasks.map((x) => compileTask(x)));
    const compileMs = performance.now() - t;
    const state = new Map<string, EvidenceDoc>();
    t = performance.now();
    for (const b of batches) {
      const pts = b.map((p) => ({
        deviceId: p.deviceId,
        ts: p.ts.getTime(),
        lng: p.loc.coordinates[0],
        lat: p.loc.coordinates[1],
        spd: p.spd,
        acc: p.acc,
        ops: p.ops,
        evt: p.evt,
      }));
      for (const d of evaluate(index, pts)) state.set(d.taskId, applyDelta(state.get(d.taskId), d));
    }
    const domainMs = performance.now() - t;
    log(
      `domain (in memory): compile ${tasks.length} tasks ${fmt(compileMs)} ms; ${fmt((records / domainMs) * 1000)} records/s`,
    );

    // (2) Ingest baseline: the same records, same batches, raw unordered inserts with the telemetry indexes.
    await ensureIndexes(db);
    await ensureIndexes(db, WORKER_INDEXES);
    const arrivals: number[] = [];
    t = performance.now();
    for (const b of batches) {
      await db.collection(COLLECTIONS.telemetry).insertMany(
        b.map((p) => ({ ...p })),
        { ordered: false },
      );
      arrivals.push(performance.now() - t);
    }
    const ingestMs = performance.now() - t;
    const ingestPerS = (records / ingestMs) * 1000;
    log(`ingest baseline (raw insertMany): ${fmt(ingestPerS)} records/s (${fmt(ingestMs)} ms)`);

    // (3) Worker evidence path: unthrottled for the sustained rate, then paced like the inserts for the lag.
    await db.collection(WORKER_COLLECTIONS.tasks).insertMany(tasks.map(toTaskDoc) as never[]);
    const events = batches.map((b, i) => eventFor(b, i, Date.now()));
    const fast = await evidencePath(db, events, null);
    // The sustained rate: records whose evidence reached the state documents per second, from the first job until
    // everything is folded (the last fold round included, which a finite run cannot overlap with anything).
    const evidencePerS = (records / fast.ms) * 1000;
    const journalPerS = (records / fast.jobsMs) * 1000;
    log(
      `evidence path (unthrottled): all folded into state at ${fmt(evidencePerS)} records/s (${fmt(fast.ms)} ms); ` +
        `jobs done (journalled) at ${fmt(journalPerS)} records/s (${fmt(fast.jobsMs)} ms); ${describe(fast)}`,
    );
    const paced = await evidencePath(db, events, arrivals);
    const pacedPerS = (records / paced.ms) * 1000;
    log(
      `evidence path (paced at the ingest rate): all folded at ${fmt(pacedPerS)} records/s (${fmt(paced.ms)} ms from the first arrival); ` +
        `max lag to folded state ${fmt(paced.maxLag)} ms (per quarter of the stream ${paced.quarters.map(fmt).join(' / ')} ms), mean ${fmt(paced.meanLag)} ms; max job lag (journalled) ${fmt(paced.maxJobLag)} ms; ${describe(paced)}`,
    );

    // Optional (--extras): the summary job and a read-back without carried records. Both filter on more than _id,
    // so FerretDB scans per statement: minutes at 100,000 records, and not part of the evidence path's rate.
    if (EXTRAS) {
      // Summaries as the minute job writes them, once for everything.
      t = performance.now();
      const sum = await new Summarizer(
        new EvidenceRepository(db, { buckets: BUCKETS }),
        new TaskSource(db, 60_000),
        3_600_000,
      ).run(Date.now());
      log(`summaries: ${sum.summarized} in ${fmt(performance.now() - t)} ms`);

      // Reading a batch back from telemetry (today's event, without records): what the proposed `points` field saves.
      const reader = new TelemetryReader(db, 30_000);
      t = performance.now();
      const sample = { ...events[Math.floor(events.length / 2)], points: undefined, batchId: 'unknown' };
      const back = await reader.forEvent(sample);
      log(
        `read-back of one batch by deviceIds + ts range: ${back.length} records in ${fmt(performance.now() - t)} ms`,
      );
    }

    const result = {
      records,
      evidence_per_s: Math.round(evidencePerS),
      ingest_per_s: Math.round(ingestPerS),
      ratio: Math.round((evidencePerS / ingestPerS) * 100) / 100,
      max_lag_ms: Math.round(paced.maxLag),
      journal_per_s: Math.round(journalPerS),
      max_job_lag_ms: Math.round(paced.maxJobLag),
      paced_folded_per_s: Math.round(pacedPerS),
      buckets: BUCKETS,
    };
    log(
      `load at the end ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    await db.dropDatabase().catch(() => undefined);
    log(JSON.stringify(result));
  } finally {
    await client.close();
    if (!KEEP) await down('bench');
  }
}

main().catch((e) => {
  process.stderr.write(`bench-evidence failed: ${(e as Error).stack ?? e}\n`);
  if (!KEEP) void down('bench').finally(() => process.exit(1));
  else process.exit(1);
});
