import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TelemetryPoint } from '@dwg/contracts';
import { DeviceRegistry } from '@dwg/device-registry';
import { ferretdbBinary } from '@dwg/local-stack';
import { COLLECTIONS, connectMongo } from '@dwg/persistence';
import { waitUntil } from '@dwg/testing';
import type { Db, MongoClient } from 'mongodb';
import type { Batch } from '../src/pipeline/batch';
import { DeviceStateBuffer } from '../src/persistence/device-state.buffer';

/**
 * FerretDB's PostgreSQL backend (the alternative to the SQLite default) hangs for good on one write command of many
 * matched update statements: each statement's read cursor holds one of its 50 pool connections until the command
 * ends. The device-state flush and the registry's provisioning rewrite every device they know, so they are the
 * writes that met it; run twice (the second time every statement matches), they must complete.
 */
describe('FerretDB on PostgreSQL: multi-statement writes complete', () => {
  const pgUrl = process.env.DWG_TEST_POSTGRESQL_URL ?? 'postgres://127.0.0.1:5432';
  const dbName = `dwg_pgtest_${process.pid}`;
  const devices = Array.from({ length: 120 }, (_, i) => `veh-pg-${String(i).padStart(3, '0')}`);
  let ferret: ChildProcess;
  let stateDir: string;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    const pg = new URL(pgUrl);
    const created = spawnSync('createdb', ['-h', pg.hostname, '-p', pg.port || '5432', dbName], {
      encoding: 'utf8',
    });
    if (created.status !== 0)
      throw new Error(`createdb ${dbName} failed: ${created.stderr || created.error}`);
    const port = await freePort();
    stateDir = mkdtempSync(join(tmpdir(), 'dwg-ferretdb-pg-'));
    ferret = spawn(
      ferretdbBinary(),
      [
        '--handler=postgresql',
        `--postgresql-url=${pgUrl}/${dbName}`,
        `--listen-addr=127.0.0.1:${port}`,
        '--debug-addr=127.0.0.1:0',
        `--state-dir=${stateDir}`,
        '--telemetry=disable',
        '--log-level=error',
      ],
      { stdio: 'ignore' },
    );
    ({ client, db } = await connectMongo(`mongodb://127.0.0.1:${port}/dawuguan`, 'pg-test'));
    await waitUntil('FerretDB on PostgreSQL answers', async () => (await db.command({ ping: 1 })).ok === 1);
  });

  afterAll(async () => {
    await client?.close();
    ferret?.kill('SIGTERM');
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    const pg = new URL(pgUrl);
    spawnSync('dropdb', ['--if-exists', '-h', pg.hostname, '-p', pg.port || '5432', dbName]);
  });

  it('flushes the state of 120 devices twice', async () => {
    const errors: unknown[] = [];
    const buffer = new DeviceStateBuffer(db, 60_000, (e) => errors.push(e));
    for (const round of [1, 2]) {
      buffer.merge(batchOf(devices, round));
      await buffer.flush();
    }
    expect(errors).toEqual([]);
    const states = await db.collection(COLLECTIONS.deviceState).find({}).toArray();
    expect(states).toHaveLength(devices.length);
    expect(states.every((s) => (s.last as { seq: number }).seq === 2)).toBe(true);
  });

  it('provisions the same 120 devices twice', async () => {
    const registry = new DeviceRegistry(db);
    for (let round = 0; round < 2; round++) {
      const issued = await registry.provision(
        devices.map((deviceId) => ({ deviceId, kind: 'gps' as const })),
      );
      expect(issued).toHaveLength(devices.length);
    }
    expect(await db.collection(COLLECTIONS.devices).countDocuments({ enabled: true })).toBe(devices.length);
  });
});

function batchOf(deviceIds: string[], seq: number): Batch {
  const at = new Date(Date.UTC(2026, 10, 27, 8, 0, seq));
  const latest = new Map<string, TelemetryPoint>();
  for (const deviceId of deviceIds) {
    latest.set(deviceId, {
      deviceId,
      kind: 'gps',
      seq,
      ts: at,
      receivedAt: at,
      loc: { type: 'Point', coordinates: [113.27, 23.16] },
      late: false,
    });
  }
  return {
    entryIds: [],
    points: [...latest.values()],
    deadLetters: [],
    statuses: [],
    latest,
    lastSeen: new Map(deviceIds.map((d) => [d, at])),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
