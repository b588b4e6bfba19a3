import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, MongoClient } from 'mongodb';
import mqtt from 'mqtt';
import { DeviceRegistry, MosquittoFileAuth, type IssuedCredential } from '@dwg/device-registry';
import type { DeviceKind } from '@dwg/contracts';
import { connectMongo, ensureIndexes } from '@dwg/persistence';
import {
  REPO_ROOT,
  mosquittoFiles,
  profile,
  serviceAccounts,
  serviceArgs,
  serviceEnv,
  urls,
  type ServiceName,
} from '@dwg/local-stack';

export const testProfile = () => profile('test');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export interface TestDb {
  url: string;
  client: MongoClient;
  db: Db;
  drop(): Promise<void>;
}

/** A database of its own for one test file, with the platform's indexes. */
export async function createTestDb(prefix: string): Promise<TestDb> {
  const name = uniqueName(prefix);
  const url = urls(testProfile()).MONGO_URL.replace(/\/[^/]+$/, `/${name}`);
  const { client, db } = await connectMongo(url, 'test');
  await ensureIndexes(db);
  return {
    url,
    client,
    db,
    drop: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** Registers devices in the test database and reloads the test broker's password and ACL files from it. */
export async function provisionDevices(
  db: Db,
  devices: { deviceId: string; kind: DeviceKind; secret?: string }[],
  profileName = 'test',
): Promise<{ registry: DeviceRegistry; credentials: IssuedCredential[] }> {
  const p = profile(profileName);
  const auth: MosquittoFileAuth = new MosquittoFileAuth((): DeviceRegistry => registry, {
    passwordFile: mosquittoFiles(p).passwd,
    aclFile: mosquittoFiles(p).acl,
    pidFile: mosquittoFiles(p).pid,
    serviceAccounts: serviceAccounts(p),
  });
  const registry: DeviceRegistry = new DeviceRegistry(db, auth);
  const credentials = await registry.provision(devices);
  await sleep(300); // Mosquitto applies the reload asynchronously after SIGHUP
  return { registry, credentials };
}

/** The same, for another local-stack profile (the benchmarks'), returning only the credentials. */
export async function provisionDevicesIn(
  profileName: string,
  db: Db,
  devices: { deviceId: string; kind: DeviceKind }[],
): Promise<IssuedCredential[]> {
  return (await provisionDevices(db, devices, profileName)).credentials;
}

export async function waitUntil<T>(
  what: string,
  fn: () => Promise<T | false | null | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
  );
}

export interface RunningService {
  name: string;
  process: ChildProcess;
  url: string;
  logs: string[];
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the crash case. */
  kill9(): Promise<void>;
}

/**
 * Runs a built service (services/<name>/dist/main.js) as a real process against the test stack, the way it runs
 * in production, so crash tests can kill it for real.
 */
export async function startService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  profileName = 'test',
): Promise<RunningService> {
  const p = profile(profileName);
  // DWG_SERVICE_NODE_ARGS passes flags to the service's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.DWG_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, serviceArgs(name, nodeArgs), {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...serviceEnv(p),
      INGEST_HTTP_PORT: '0',
      WORKER_HTTP_PORT: '0',
      API_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let url = '';
  // 'close', not 'exit': it fires once the output pipes are drained, so the last log lines are in `logs`.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      logs.push(line);
      const m = /"url":"(http:\/\/[^"]+)"/.exec(line);
      if (m) url = m[1].replace('[::1]', '127.0.0.1');
    });
  }
  const ready = await Promise.race([
    waitUntil(`${name} to listen`, async () => url, 60_000).then(() => true),
    exited.then(() => false),
  ]);
  if (!ready) throw new Error(`${name} exited during start:\n${logs.slice(-20).join('\n')}`);
  return {
    name,
    process: child,
    url,
    logs,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Removes the broker's persistent sessions of these client ids, so a finished test leaves no queue behind. */
export async function forgetSessions(clientIds: string[]): Promise<void> {
  const p = testProfile();
  const [sa] = serviceAccounts(p);
  for (const clientId of clientIds) {
    const c = await mqtt.connectAsync(urls(p).MQTT_URL, {
      clientId,
      username: sa.username,
      password: sa.password,
      clean: true,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 0 },
      reconnectPeriod: 0,
    });
    await c.endAsync();
  }
}

export const testUrls = () => urls(testProfile());
