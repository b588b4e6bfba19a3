/**
 * npm run bench:kpi-rollups -- [--tasks T] [--revs R] [--baseline B] [--concurrency C] [--preload P]
 *
 * Rollup events applied per second on the bench profile's FerretDB, in one process and one run:
 * - baseline: the first B events through the former writer (conditional filters; legacy-kpi-rollups.ts), one at a
 *   time as the worker ran it (domain-events concurrency 1);
 * - unsplit: all T × R events through KpiRollups, C at a time as the worker runs them
 *   (WORKER_DOMAIN_EVENTS_CONCURRENCY), with the earlier months in the collection being written, as the rollups
 *   were kept before the split by month;
 * - current: the same through KpiRollups with the earlier months in their own month's collection.
 * Events: T tasks of one contract-month (zones × lines × days), each changing R times (a status/summary change per
 * rev), published rev by rev across all tasks as a busy day would. Each writer gets its own database, preloaded
 * with P contributions and P/10 rollups of another contract (earlier months: FerretDB's cost grows with them).
 * Prints its figures and, last, one JSON line {"baseline_per_s","new_same_per_s","new_all_per_s","speedup",
 * "unsplit_all_per_s","split_gain"} (the _same figures: the first B events; _all: the rest).
 */
import { randomBytes } from 'node:crypto';
import { SERVICE_LINES, type TaskChanged } from '@dwg/contracts';
import { down, up } from '@dwg/local-stack';
import { COLLECTIONS, connectMongo, ensureIndexes, kpiRollupsOf } from '@dwg/persistence';
import { changeFromTask, KPI_INDEXES, KpiRollups, type KpiChange } from '../kpi/kpi-rollups';
import { LegacyKpiRollups } from './legacy-kpi-rollups';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const TASKS = arg('tasks', 1000);
const REVS = arg('revs', 3);
const BASELINE = arg('baseline', 300);
const CONCURRENCY = arg('concurrency', 8);
const PRELOAD = arg('preload', 5000);
const log = (m: string) => process.stderr.write(`${m}\n`);

function events(): KpiChange[] {
  const tasks: string[] = [];
  for (let i = 0; i < TASKS; i++) tasks.push(`t${i}`);
  const out: KpiChange[] = [];
  for (let rev = 1; rev <= REVS; rev++)
    for (let i = 0; i < TASKS; i++) {
      const day = `2026-10-${String((i % 31) + 1).padStart(2, '0')}`;
      const final = rev === REVS;
      const e: TaskChanged = {
        tenantId: 'op',
        contractId: 'bench-contract',
        zoneId: `zone-${Math.floor(i / 31) % 5}`,
        serviceLine: SERVICE_LINES[Math.floor(i / 155) % SERVICE_LINES.length],
        day,
        taskId: tasks[i],
        rev,
        type: 'post',
        status: final ? (i % 7 ? 'completed' : 'missed') : 'in_progress',
        final,
        subjectKind: 'worker',
        subjectIds: ['w'],
        deviceIds: ['b'],
        windowStart: `${day}T06:00:00+08:00`,
        windowEnd: `${day}T14:00:00+08:00`,
        metrics: { attended: i % 7 !== 0, shiftMin: 480, onPostMin: (480 * rev) / REVS, reported: final },
        changedAt: `${day}T${String(6 + rev).padStart(2, '0')}:00:00+08:00`,
      };
      out.push(changeFromTask(e));
    }
  return out;
}

/** Applies the changes `concurrency` at a time, in order of arrival; events per second. */
async function run(apply: (c: KpiChange) => Promise<unknown>, changes: KpiChange[], concurrency: number) {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < changes.length) await apply(changes[next++]);
    }),
  );
  return changes.length / ((performance.now() - t0) / 1000);
}

async function main() {
  const env = await up({ profile: 'bench', services: false, log: () => undefined });
  const tag = randomBytes(3).toString('hex');
  const connect = (name: string) =>
    connectMongo(env.MONGO_URL.replace(/\/[^/]+$/, `/bench_kpiroll_${name}_${tag}`), 'bench-kpi-rollups');
  const legacy = await connect('legacy');
  const fresh = await connect('new');
  const single = await connect('single');
  try {
    await ensureIndexes(legacy.db, KPI_INDEXES);
    await ensureIndexes(fresh.db, KPI_INDEXES);
    await ensureIndexes(single.db, KPI_INDEXES);
    // The former writer kept every month in `kpi_rollups`; the current one keeps each month in its own. `single`:
    // the current writer with the earlier months in the collection it writes, as before the split by month.
    for (const [{ db }, rollupCollection] of [
      [legacy, COLLECTIONS.kpiRollups],
      [fresh, kpiRollupsOf('2026-09-01')],
      [single, kpiRollupsOf('2026-10-01')],
    ] as const) {
      for (let i = 0; i < PRELOAD; i += 1000) {
        const n = Math.min(1000, PRELOAD - i);
        const key = (k: number) => ({
          tenantId: 'op',
          contractId: 'old-contract',
          zoneId: 'z',
          serviceLine: 'sanitation',
          day: `2026-09-${String((k % 30) + 1).padStart(2, '0')}`,
        });
        await db.collection('kpi_contributions').insertMany(
          Array.from({ length: n }, (_, j) => ({
            _id: `task:old-${i + j}`,
            kind: 'task',
            entityId: `old-${i + j}`,
            rev: 3,
            contractId: 'old-contract',
            day: key(i + j).day,
            key: key(i + j),
            vec: { postShifts: 1, postAttended: 1 },
            ref: { windowStart: '2026-09-01T06:00:00+08:00', deviceIds: ['b'] },
            changedAt: '2026-09-01T14:00:00+08:00',
            pending: null,
          })) as never[],
        );
        await db.collection(rollupCollection).insertMany(
          Array.from({ length: Math.ceil(n / 10) }, (_, j) => ({
            _id: `old-contract|z${i + j}|sanitation|2026-09-01`,
            ...key(i + j),
            c: { postShifts: 10 },
            ops: [],
            updatedAt: new Date(),
          })) as never[],
        );
      }
    }
    log(`preloaded ${PRELOAD} contributions and ${Math.ceil(PRELOAD / 10)} rollups per database`);
    const all = events();
    const same = all.slice(0, BASELINE);
    log(
      `kpi rollups: ${all.length} events (${TASKS} tasks × ${REVS} revs), baseline on the first ${same.length}`,
    );
    const old = new LegacyKpiRollups(legacy.db);
    const baseline = await run((c) => old.apply(c), same, 1);
    log(`baseline (conditional filters, 1 at a time): ${baseline.toFixed(1)} events/s`);
    const unsplit = new KpiRollups(single.db);
    const singleSame = await run((c) => unsplit.apply(c), same, CONCURRENCY);
    const singleAll = await run((c) => unsplit.apply(c), all.slice(BASELINE), CONCURRENCY);
    log(
      `history in the month's collection (before the split): ${singleSame.toFixed(1)} then ${singleAll.toFixed(1)} events/s`,
    );
    const rollups = new KpiRollups(fresh.db);
    const newSame = await run((c) => rollups.apply(c), same, CONCURRENCY);
    log(
      `insert-only path, ${CONCURRENCY} at a time, same ${same.length} events: ${newSame.toFixed(1)} events/s`,
    );
    const newAll = await run((c) => rollups.apply(c), all.slice(BASELINE), CONCURRENCY);
    log(`insert-only path, the remaining ${all.length - BASELINE} events: ${newAll.toFixed(1)} events/s`);
    const r = (x: number) => Math.round(x * 10) / 10;
    process.stdout.write(
      `${JSON.stringify({ baseline_per_s: r(baseline), new_same_per_s: r(newSame), new_all_per_s: r(newAll), speedup: r(newSame / baseline), unsplit_all_per_s: r(singleAll), split_gain: Math.round((newAll / singleAll) * 100) / 100 })}\n`,
    );
    await legacy.db.dropDatabase();
    await fresh.db.dropDatabase();
    await single.db.dropDatabase();
  } finally {
    await legacy.client.close();
    await fresh.client.close();
    await single.client.close();
    await down('bench');
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench:kpi-rollups failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
