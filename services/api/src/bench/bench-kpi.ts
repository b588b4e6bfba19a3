/**
 * npm run bench:kpi -- [--records N] [--zones Z] [--runs R]
 *
 * Brings up its own stack (bench profile: FerretDB, Redis, Mosquitto) and the built worker, publishes a month of
 * task, alarm and work-order changes for one contract on the domain-events queue (the worker rolls them up), and
 * stores N telemetry records of the contract's devices over that month. It then times the KPI query of the
 * contract-month (the api's KpiReader + aggregate, day granularity: trend and total), adds 9 N more telemetry records
 * and times it again. The query reads rollups only, so its cost should not grow with telemetry: ratio ≈ 1.
 * Prints its figures and, last, one JSON line {"t1_ms","t10_ms","ratio"}.
 */
import { Queue } from 'bullmq';
import {
  SERVICE_LINES,
  domainEventJobId,
  QUEUES,
  type DomainEventName,
  type TaskChanged,
} from '@dwg/contracts';
import { down, profile, resetProfile, serviceEnv, up, urls } from '@dwg/local-stack';
import { COLLECTIONS, connectMongo, ensureIndexes, kpiRollupsOf } from '@dwg/persistence';
import { startService } from '@dwg/testing';
import { aggregate } from '../kpis/kpi-periods';
import { KpiReader } from '../kpis/kpi.reader';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = arg('records', 50_000);
const ZONES = arg('zones', 5);
const RUNS = arg('runs', 40);
const DEVICES = 100;
const MONTH = '2026-10';
const DAYS = 31;
const CONTRACT = 'bench-contract';
const log = (m: string) => process.stderr.write(`${m}\n`);

async function main() {
  const p = profile('bench');
  await resetProfile('bench');
  log('bench: starting the bench stack');
  await up({ profile: 'bench', services: false, log });
  const u = urls(p);
  const { client, db } = await connectMongo(u.MONGO_URL, 'bench');
  const prefix = `bench-kpi-${Date.now()}`;
  const worker = await startService(
    'worker',
    {
      ...serviceEnv(p),
      REDIS_PREFIX: prefix,
      WORKER_HTTP_PORT: String(p.ports.workerHttp),
      WORKER_KPI_OPEN_DAYS: '0', // the bench's month is fixed: keep it open
    },
    'bench',
  );
  const queue = new Queue(QUEUES.domainEvents, {
    connection: { url: u.REDIS_URL },
    prefix: `${prefix}:bull`,
  } as never);
  try {
    await ensureIndexes(db);
    // 1. A month of changes: per zone × line × day one post and one route task, and an alarm every other key
    //    (ZONES × 4 × 31 rollup documents), rolled up by the worker as in production.
    let events = 0;
    const publish = async (name: DomainEventName, id: string, e: { rev: number }) => {
      events++;
      await queue.add(name, e, { jobId: domainEventJobId(name, id, e.rev), removeOnComplete: true });
    };
    const t0 = Date.now();
    for (let d = 1; d <= DAYS; d++) {
      const day = `${MONTH}-${String(d).padStart(2, '0')}`;
      for (let z = 0; z < ZONES; z++)
        for (const line of SERVICE_LINES) {
          const key = { tenantId: 'op', contractId: CONTRACT, zoneId: `zone-${z}`, serviceLine: line, day };
          const id = `${z}-${line}-${day}`;
          const base = {
            ...key,
            rev: 1,
            status: 'completed' as const,
            final: true,
            subjectKind: 'worker' as const,
            subjectIds: ['w'],
            deviceIds: [`dev-${z}`],
            windowStart: `${day}T06:00:00+08:00`,
            windowEnd: `${day}T14:00:00+08:00`,
            onTime: true,
            changedAt: `${day}T14:00:00+08:00`,
          };
          const post: TaskChanged = {
            ...base,
            taskId: `post-${id}`,
            type: 'post',
            metrics: { attended: d % 7 !== 0, shiftMin: 480, onPostMin: 450, reported: true },
          };
          const route: TaskChanged = {
            ...base,
            taskId: `route-${id}`,
            type: 'route',
            metrics: { routeLengthM: 8000, coveredLengthM: 7600 },
          };
          await publish('task-changed', post.taskId, post);
          await publish('task-changed', route.taskId, route);
          if ((d + z) % 2 === 0)
            await publish('alarm-changed', `al-${id}`, {
              ...key,
              alarmId: `al-${id}`,
              rev: 1,
              type: 'off_post',
              status: 'closed',
              deviceId: `dev-${z}`,
              subjectKind: 'worker',
              subjectId: 'w',
              taskId: null,
              at: null,
              openedAt: `${day}T09:00:00+08:00`,
              closedAt: null,
              message: 'off post',
              changedAt: `${day}T09:00:00+08:00`,
            } as never);
        }
    }
    for (;;) {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(c).every((n) => n === 0)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const rollupDocs = await db
      .collection(kpiRollupsOf(`${MONTH}-01`))
      .countDocuments({ contractId: CONTRACT });
    log(
      `bench: ${events} domain events rolled up by the worker into ${rollupDocs} rollup documents in ${Date.now() - t0} ms`,
    );

    const reader = new KpiReader(db);
    const query = async () => {
      const rows = await reader.rows({ contractId: CONTRACT, from: `${MONTH}-01`, to: `${MONTH}-31` });
      return aggregate(rows, 'day');
    };
    const time = async (label: string) => {
      for (let i = 0; i < 5; i++) await query(); // warm-up
      const ms: number[] = [];
      let result: Awaited<ReturnType<typeof query>> | null = null;
      for (let i = 0; i < RUNS; i++) {
        const s = process.hrtime.bigint();
        result = await query();
        ms.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      ms.sort((a, b) => a - b);
      const median = ms[Math.floor(ms.length / 2)];
      log(
        `bench: ${label}: KPI query of one contract-month median ${median.toFixed(1)} ms (p90 ${ms[Math.floor(ms.length * 0.9)].toFixed(1)} ms, ${RUNS} runs; ${result?.series.length} days, attendance ${result?.total.rates.attendanceRate})`,
      );
      return median;
    };

    // 2. 1× telemetry, query; 10× telemetry, query.
    await insertTelemetry(db, 0, N);
    const t1 = await time(`1× telemetry (${N} records)`);
    await insertTelemetry(db, N, 10 * N);
    const t10 = await time(`10× telemetry (${10 * N} records)`);
    const result = { t1_ms: round(t1), t10_ms: round(t10), ratio: round(t10 / t1) };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await queue.close();
    await worker.stop();
    await client.close();
    await down('bench');
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Records [from, to) of the contract's devices spread over the month, in batches of 5000 (insertMany). */
async function insertTelemetry(db: import('mongodb').Db, from: number, to: number) {
  const col = db.collection(COLLECTIONS.telemetry);
  const start = Date.parse(`${MONTH}-01T00:00:00+08:00`);
  const span = DAYS * 86_400_000;
  const t0 = Date.now();
  for (let i = from; i < to; i += 5000) {
    const batch = [];
    for (let k = i; k < Math.min(to, i + 5000); k++) {
      const dev = k % DEVICES;
      const ts = new Date(start + Math.floor((k / to) * span));
      batch.push({
        deviceId: `dev-${dev}`,
        kind: 'gps',
        seq: k,
        ts,
        receivedAt: ts,
        loc: { type: 'Point', coordinates: [113.26 + (k % 1000) * 1e-5, 23.15 + (dev % 100) * 1e-4] },
        late: false,
        spd: 12,
        hdg: 90,
        ign: true,
        ops: { sweep: true },
      });
    }
    await col.insertMany(batch, { ordered: false });
  }
  log(`bench: stored telemetry records ${from}..${to} in ${Date.now() - t0} ms`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench:kpi failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
