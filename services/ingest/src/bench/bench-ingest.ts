/**
 * npm run bench:ingest -- --records N
 *
 * Brings up its own stack (bench profile), then in one run measures:
 *  - e2e: N records published by simulated devices through the broker into the ingest service, until all are durable;
 *  - raw: the same number of records bulk-inserted straight into the same database (insertMany, 1000 a batch);
 *  - naive: a consumer that decodes each message and inserts each record with insertOne as it arrives (a sample).
 * Prints its figures and, last, one JSON line.
 *
 * FerretDB runs on its PostgreSQL backend unless DWG_FERRETDB_BACKEND says otherwise (docs/benchmarks.md: why).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { ALL_DEVICE_TOPICS, decodeMessage, type TelemetryPoint } from '@dwg/contracts';
import { Simulator, buildWorld, createDeviceModel } from '@dwg/device-sim';
import { down, profile, readPid, resetProfile, serviceAccounts, up, urls } from '@dwg/local-stack';
import { COLLECTIONS, INDEXES, connectMongo, ensureIndexes } from '@dwg/persistence';
import { provisionDevicesIn, startService } from '@dwg/testing';
import { LeanDevice } from './lean-device';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
process.env.DWG_FERRETDB_BACKEND ??= 'postgresql';
const N = arg('records', 200_000);
const VEHICLES = arg('devices', 200);
const NAIVE_SAMPLE = Math.min(N, arg('naive-sample', 10_000));
const WINDOW = arg('window', 1000);
const WORLD = buildWorld({ seed: 1 });
const log = (m: string) => process.stderr.write(`${m}\n`);

async function main() {
  const p = profile('bench');
  await resetProfile('bench');
  log(
    `bench: starting the bench stack (FerretDB ${process.env.DWG_FERRETDB_BACKEND} backend, Redis, Mosquitto)`,
  );
  await up({ profile: 'bench', services: false, log });
  const u = urls(p);
  const { client, db } = await connectMongo(u.MONGO_URL, 'bench');
  try {
    const perDevice = Math.ceil(N / VEHICLES);
    const total = perDevice * VEHICLES;
    const creds = await provisionDevicesIn(
      'bench',
      db,
      Array.from({ length: VEHICLES }, (_, i) => ({
        deviceId: `bench-veh-${String(i).padStart(5, '0')}`,
        kind: 'gps' as const,
      })),
    );

    // 1. End to end through broker, journal and ingest.
    const ingest = await startService(
      'ingest',
      { INSTANCE_ID: 'bench-ingest-0', INGEST_HTTP_PORT: String(p.ports.ingestHttp) },
      'bench',
    );
    // The devices' records are generated before the clock starts (generating them is the simulator's work, not
    // the platform's); then every device connects with its own credentials and publishes one record per message,
    // as an online terminal does, at QoS 1 with a bounded window of unacknowledged messages.
    const fleet = creds.map((c, d) => ({ cred: c, payloads: devicePayloads(c.deviceId, d, perDevice) }));
    const devices = await Promise.all(
      fleet.map(({ cred }) => LeanDevice.connect(u.MQTT_URL, cred.deviceId, cred.deviceId, cred.secret)),
    );
    // The database's processes: FerretDB, and on that backend PostgreSQL's.
    const database = {
      ferretdb: readPid(p.runDir, 'ferretdb'),
      ...(postgresql ? { postgresql: postgresProcesses } : {}),
    };
    const cpu = new CpuMeter({
      ...database,
      redis: readPid(p.runDir, 'redis'),
      mosquitto: readPid(p.runDir, 'mosquitto'),
      ingest: ingest.process.pid ?? null,
    });
    const t0 = Date.now();
    const running = publishAll(
      fleet.map((f, i) => ({
        client: devices[i],
        topic: `dwg/v1/${f.cred.deviceId}/gps`,
        payloads: f.payloads,
      })),
      WINDOW,
    );
    const telemetry = db.collection(COLLECTIONS.telemetry);
    let lastLog = 0;
    let stored = 0;
    let maxJournal = 0;
    // Progress comes from ingest's own counter: counting documents would make FerretDB scan the collection,
    // slowing the very writes being measured.
    for (;;) {
      const m = await metrics(p.ports.ingestHttp);
      stored = m.stored;
      maxJournal = Math.max(maxJournal, m.journal);
      if (stored >= total) break;
      if (Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        log(
          `  e2e: ${stored}/${total} stored, journal ${m.journal}, ${Math.round(stored / ((Date.now() - t0) / 1000))}/s`,
        );
      }
      await sleep(100);
    }
    const e2eMs = Date.now() - t0;
    const cpuSeconds = cpu.read();
    const published = await running;
    await Promise.all(devices.map((c) => c.end()));
    await sleep(1000);
    const finalCount = await telemetry.countDocuments({});
    const latency = await metrics(p.ports.ingestHttp);
    log(
      `e2e writer: ${latency.batches} batches, ${Math.round(latency.entries / Math.max(1, latency.batches))} messages each on average; the database was inserting ${Math.round((latency.insertS / (e2eMs / 1000)) * 100)}% of the time, ${((latency.insertS / Math.max(1, latency.batches)) * 1000).toFixed(0)} ms per insert`,
    );
    await ingest.stop();
    const e2ePerS = total / (e2eMs / 1000);
    log(
      `e2e CPU seconds per 10,000 records: ${perTenThousand(cpuSeconds, total)} (the run's wall time on 2 cores allows ${(((2 * e2eMs) / 1000 / total) * 10_000).toFixed(2)})`,
    );
    log(
      `e2e: ${total} records in ${(e2eMs / 1000).toFixed(1)} s = ${Math.round(e2ePerS)}/s (devices acked ${Math.round(published.acked / (published.ms / 1000))}/s; max journal ${maxJournal})`,
    );

    // 2. Raw bulk insert of the same records into the same database, 1000 per insertMany, in two orders:
    //  - the order the devices produce them (round robin over devices, as the broker delivers them to ingest and to
    //    the naive consumer); this is the baseline of the ratio, since both compared pipelines see that order;
    //  - device by device (each batch is one device's consecutive records), printed for reference: each batch then
    //    touches a few pages of the (deviceId, ts, seq) index instead of one per device, which no live stream offers.
    const byDevice = generate(perDevice, VEHICLES);
    const arrival = Array.from({ length: byDevice.length }, (_, k) => {
      const i = Math.floor(k / VEHICLES);
      return byDevice[(k % VEHICLES) * perDevice + i];
    });
    const rawInsert = async (name: string, docs: TelemetryPoint[], order: string) => {
      await db
        .collection(name)
        .drop()
        .catch(() => undefined);
      await ensureIndexes(db, { [name]: INDEXES[COLLECTIONS.telemetry] });
      const rawCpu = new CpuMeter(database, 'bench');
      const r0 = Date.now();
      for (let i = 0; i < docs.length; i += 1000)
        await db.collection(name).insertMany(docs.slice(i, i + 1000), { ordered: false });
      const perS = docs.length / ((Date.now() - r0) / 1000);
      log(
        `raw insertMany, ${order}: ${docs.length} records = ${Math.round(perS)}/s (CPU seconds per 10,000 records: ${perTenThousand(rawCpu.read(), docs.length)})`,
      );
      return perS;
    };
    const rawByDevicePerS = await rawInsert('bench_raw_by_device', byDevice, 'device by device');
    const rawPerS = await rawInsert('bench_raw', arrival, 'in arrival order (the baseline)');

    // 3. Naive: decode and insertOne per record as messages arrive (QoS 1, acknowledged at once).
    await db
      .collection('bench_naive')
      .drop()
      .catch(() => undefined);
    await ensureIndexes(db, { bench_naive: INDEXES[COLLECTIONS.telemetry] });
    const [sa] = serviceAccounts(p);
    const naive = await mqtt.connectAsync(u.MQTT_URL, {
      username: sa.username,
      password: sa.password,
      clean: true,
    });
    let naiveStored = 0;
    let chain = Promise.resolve();
    naive.on('message', (topic, payload) => {
      chain = chain.then(async () => {
        const d = decodeMessage(topic, payload, { receivedAt: new Date(), lateAfterMs: 60_000 });
        for (const pt of d.points) {
          await db
            .collection('bench_naive')
            .insertOne({ ...pt })
            .catch(() => undefined);
          naiveStored++;
        }
      });
    });
    await naive.subscribeAsync(ALL_DEVICE_TOPICS, { qos: 1 });
    const naiveDevices = 50;
    const naiveSim = new Simulator({
      mqttUrl: u.MQTT_URL,
      credentials: creds.slice(0, naiveDevices),
      recordsPerDevice: Math.ceil(NAIVE_SAMPLE / naiveDevices),
      realTime: false,
      seed: 2,
    });
    const n0 = Date.now();
    const naiveSummary = await naiveSim.run();
    while (naiveStored < naiveSummary.expectedStored) await sleep(50);
    const naivePerS = naiveStored / ((Date.now() - n0) / 1000);
    await naive.endAsync();
    log(`naive insertOne per record: ${naiveStored} records = ${Math.round(naivePerS)}/s`);

    const result = {
      records: total,
      e2e_per_s: Math.round(e2ePerS),
      raw_insert_per_s: Math.round(rawPerS),
      ratio_to_raw: round(e2ePerS / rawPerS),
      naive_per_s: Math.round(naivePerS),
      speedup_vs_naive: round(e2ePerS / naivePerS),
      lost: Math.max(0, total - finalCount),
      duplicated: Math.max(0, finalCount - total),
      p99_latency_ms: latency.p99Ms,
    };
    log(
      `ratio of e2e to raw: ${round(e2ePerS / rawPerS)} against the arrival order (reported), ${round(e2ePerS / rawByDevicePerS)} against device by device`,
    );
    log(`p99 latency receipt → durable: ${latency.p99Ms} ms (from ingest's histogram)`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await client.close();
    await down('bench');
  }
}

/** CPU time of each process of the pipeline (and of this one, the simulator) since construction, from /proc. */
class CpuMeter {
  private readonly start: Record<string, number>;
  private readonly self = process.cpuUsage();
  /** A name maps to one pid, or to a function listing a group of processes (PostgreSQL's backends). */
  constructor(
    private readonly pids: Record<string, number | null | (() => number[])>,
    private readonly selfLabel = 'simulator+bench',
  ) {
    this.start = this.sample();
  }
  private sample(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const list = typeof pid === 'function' ? pid() : pid ? [pid] : [];
      for (const one of list) {
        try {
          // Fields after the command: utime and stime are the 12th and 13th (clock ticks, 100 per second).
          const f = readFileSync(`/proc/${one}/stat`, 'utf8').split(') ')[1].split(' ');
          out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
        } catch {
          // The process is gone: its share is simply not reported.
        }
      }
    }
    return out;
  }
  read(): Record<string, number> {
    const now = this.sample();
    const self = process.cpuUsage(this.self);
    const out: Record<string, number> = { [this.selfLabel]: (self.user + self.system) / 1e6 };
    for (const [k, v] of Object.entries(now)) out[k] = v - (this.start[k] ?? 0);
    return out;
  }
}

/** One device's records as MQTT payloads, from the simulator's vehicle model (real-time spacing of 5 s). */
function devicePayloads(deviceId: string, index: number, n: number): Buffer[] {
  const model = createDeviceModel(WORLD, { deviceId, kind: 'gps' }, index, {
    seed: 1,
    startTs: Date.now() - n * 5000,
    intervalMs: 5000,
  });
  return Array.from({ length: n }, () => Buffer.from(JSON.stringify(model.next({}))));
}

/** Publishes every device's payloads in order, at most `window` unacknowledged in all. */
async function publishAll(
  devices: { client: LeanDevice; topic: string; payloads: Buffer[] }[],
  window: number,
): Promise<{ acked: number; ms: number }> {
  const t0 = Date.now();
  let acked = 0;
  const perDevice = Math.max(1, Math.floor(window / devices.length));
  await Promise.all(
    devices.map(async (d) => {
      for (let i = 0; i < d.payloads.length; i += perDevice) {
        const chunk = d.payloads.slice(i, i + perDevice);
        await d.client.publishAll(d.topic, chunk);
        acked += chunk.length;
      }
    }),
  );
  return { acked, ms: Date.now() - t0 };
}

const round = (x: number) => Math.round(x * 100) / 100;

const postgresql = process.env.DWG_FERRETDB_BACKEND === 'postgresql';

/** The machine's PostgreSQL processes (server and backends): FerretDB's PostgreSQL backend works through them. */
function postgresProcesses(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

const perTenThousand = (cpu: Record<string, number>, records: number) =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${((v / records) * 10_000).toFixed(2)}`)
    .join(', ');

function generate(perDevice: number, devices: number): TelemetryPoint[] {
  const world = WORLD;
  const out: TelemetryPoint[] = [];
  const start = Date.now() - perDevice * 5000;
  for (let d = 0; d < devices; d++) {
    const model = createDeviceModel(world, { deviceId: `raw-veh-${d}`, kind: 'gps' }, d, {
      seed: 1,
      startTs: start,
      intervalMs: 5000,
    });
    for (let i = 0; i < perDevice; i++) {
      const rec = model.next({});
      const decoded = decodeMessage(`dwg/v1/raw-veh-${d}/gps`, Buffer.from(JSON.stringify(rec)), {
        receivedAt: new Date(),
        lateAfterMs: 60_000,
      });
      out.push(...decoded.points);
    }
  }
  return out;
}

/** Reads the journal length and estimates p99 from ingest's latency histogram (upper bound of the p99 bucket). */
async function metrics(port: number): Promise<{
  journal: number;
  stored: number;
  p99Ms: number;
  insertS: number;
  batches: number;
  entries: number;
}> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  const journal = Number(/^dwg_ingest_journal_length (\d+)/m.exec(text)?.[1] ?? 0);
  const stored = Number(/^dwg_ingest_records_stored_total (\d+)/m.exec(text)?.[1] ?? 0);
  const buckets = [...text.matchAll(/^dwg_ingest_latency_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)].map(
    (m) => ({ le: m[1], n: Number(m[2]) }),
  );
  const count = buckets.find((b) => b.le === '+Inf')?.n ?? 0;
  const p99 = buckets.find((b) => b.n >= count * 0.99);
  return {
    journal,
    stored,
    p99Ms: p99 && p99.le !== '+Inf' ? Number(p99.le) * 1000 : -1,
    insertS: num(/^dwg_ingest_insert_seconds_sum (\S+)/m),
    batches: num(/^dwg_ingest_batch_entries_count (\S+)/m),
    entries: num(/^dwg_ingest_batch_entries_sum (\S+)/m),
  };
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  void down('bench').finally(() => process.exit(1));
});
