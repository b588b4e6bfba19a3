import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import mqtt from 'mqtt';
import { ALL_DEVICE_TOPICS, sharedSubscription } from '@dwg/contracts';
import { DeviceRegistry, MosquittoFileAuth, type ServiceAccount } from '@dwg/device-registry';
import { connectMongo, ensureIndexes } from '@dwg/persistence';
import { REPO_ROOT, profile, urls, type Profile } from './profiles';
import {
  assertPortFree,
  isAlive,
  readPid,
  startDetached,
  stopProcess,
  waitFor,
  type ManagedProcess,
} from './processes';
import { cjkFontFile, ferretdbBinary, mosquittoBinary, redisBinary } from './tools';
import { startAdmin } from './admin';

export const INFRA = ['ferretdb', 'redis', 'mosquitto'] as const;
export const SERVICES = ['ingest', 'worker', 'api'] as const;
const INFRA_PORT = { ferretdb: 'mongo', redis: 'redis', mosquitto: 'mqtt' } as const;
const SERVICE_PORT = { ingest: 'ingestHttp', worker: 'workerHttp', api: 'api' } as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Node flags per service, wherever it runs (here, and NODE_OPTIONS in infra/k8s and the compose file). Ingest
 * allocates a short-lived object per message and per record: a larger young generation (32 MiB semi-spaces instead
 * of Node's 16) halves its scavenges, measured as 0.59 → 0.52 CPU seconds per 10,000 records (bench:ingest).
 */
const SERVICE_NODE_FLAGS: Record<ServiceName, string[]> = {
  ingest: ['--max-semi-space-size=32'],
  worker: [],
  api: [],
};

/** The built entry point of a service. */
export const serviceMain = (name: ServiceName) => join(REPO_ROOT, 'services', name, 'dist', 'main.js');

/** Node's arguments for a service: its flags, any extra ones (a profiler, say), then its entry point. */
export const serviceArgs = (name: ServiceName, extra: string[] = []) => [
  ...SERVICE_NODE_FLAGS[name],
  ...extra,
  serviceMain(name),
];

export interface StackSecrets {
  ingestMqttPassword: string;
  jwtSecret: string;
}

/** Secrets are generated once per profile and kept in its data folder (never committed). */
export function secrets(p: Profile): StackSecrets {
  const f = join(p.dataDir, 'secrets.json');
  if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8')) as StackSecrets;
  mkdirSync(p.dataDir, { recursive: true });
  const s: StackSecrets = {
    ingestMqttPassword: randomBytes(18).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
  };
  writeFileSync(f, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export function mosquittoFiles(p: Profile) {
  const dir = join(p.dataDir, 'mosquitto');
  return {
    dir,
    conf: join(dir, 'mosquitto.conf'),
    passwd: join(dir, 'passwd'),
    acl: join(dir, 'acl'),
    pid: join(p.runDir, 'mosquitto.pid'),
  };
}

export function serviceAccounts(p: Profile): ServiceAccount[] {
  return [
    {
      username: 'dwg-ingest',
      password: secrets(p).ingestMqttPassword,
      read: [ALL_DEVICE_TOPICS, sharedSubscription('+')],
    },
  ];
}

/** Environment every service gets in this profile. */
export function serviceEnv(p: Profile, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const u = urls(p);
  const f = mosquittoFiles(p);
  const s = secrets(p);
  const font = cjkFontFile();
  return {
    MONGO_URL: u.MONGO_URL,
    REDIS_URL: u.REDIS_URL,
    MQTT_URL: u.MQTT_URL,
    INGEST_MQTT_USERNAME: 'dwg-ingest',
    INGEST_MQTT_PASSWORD: s.ingestMqttPassword,
    JWT_SECRET: s.jwtSecret,
    BROKER_AUTH_MODE: 'mosquitto-file',
    MOSQUITTO_PASSWD_FILE: f.passwd,
    MOSQUITTO_ACL_FILE: f.acl,
    MOSQUITTO_PID_FILE: f.pid,
    INGEST_HTTP_PORT: String(p.ports.ingestHttp),
    WORKER_HTTP_PORT: String(p.ports.workerHttp),
    API_PORT: String(p.ports.api),
    ...(font ? { PDF_FONT_FILE: font } : {}),
    ...extra,
  };
}

function writeMosquittoConf(p: Profile) {
  const f = mosquittoFiles(p);
  mkdirSync(join(f.dir, 'data'), { recursive: true });
  // No-loss settings for persistent sessions: Mosquitto would otherwise drop the newest messages beyond 1000 queued
  // per session while an ingest instance restarts. The payload limit is above the protocol's 256 KiB on purpose:
  // ingest keeps an oversized message as a dead letter with its reason instead of the broker dropping it unseen.
  const conf = [
    `pid_file ${f.pid}`,
    'persistence true',
    `persistence_location ${join(f.dir, 'data')}/`,
    'autosave_interval 30',
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${f.passwd}`,
    `acl_file ${f.acl}`,
    `listener ${p.ports.mqtt} 127.0.0.1`,
    'max_queued_messages 1000000',
    'max_queued_bytes 0',
    'max_inflight_messages 100',
    'message_size_limit 1048576',
    'persistent_client_expiration 14d',
    'set_tcp_nodelay true',
    // Mosquitto started as root would switch to the mosquitto user and lose access to these files.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    '',
  ].join('\n');
  writeFileSync(f.conf, conf);
}

async function mongoHealthy(url: string) {
  const c = new MongoClient(url, { serverSelectionTimeoutMS: 1000 });
  try {
    await c.db().command({ ping: 1 });
    return true;
  } finally {
    await c.close();
  }
}

async function redisHealthy(url: string) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined); // reported through the rejected connect()
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
}

async function mqttHealthy(url: string, username: string, password: string) {
  const c = await mqtt.connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: 1000 });
  await c.endAsync();
  return true;
}

async function httpHealthy(url: string) {
  const res = await fetch(url);
  return res.ok;
}

/** FerretDB's backend for every profile: `DWG_FERRETDB_BACKEND`, SQLite by default. */
export function ferretdbBackend(): 'sqlite' | 'postgresql' {
  return process.env.DWG_FERRETDB_BACKEND === 'postgresql' ? 'postgresql' : 'sqlite';
}

/** The profile's own PostgreSQL database; its name carries the port offset, so two checkouts never share one. */
function postgresqlUrl(p: Profile): string {
  return (
    process.env.DWG_FERRETDB_POSTGRESQL_URL ?? `postgres://127.0.0.1:5432/dwg_${p.name}_${p.ports.mongo}`
  );
}

/** The client tools' connection arguments and the database name of the profile's PostgreSQL database. */
function postgresqlTarget(p: Profile): { args: string[]; name: string } {
  const url = new URL(postgresqlUrl(p));
  return {
    args: ['-h', url.hostname, '-p', url.port || '5432'],
    name: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
}

/**
 * Stops a profile and removes its data: its folder and, with the PostgreSQL backend, its database (FerretDB keeps
 * the documents there, not in the folder). For benchmarks and tests that must start from nothing.
 */
export async function resetProfile(name: string): Promise<void> {
  await down(name);
  const p = profile(name);
  rmSync(p.dataDir, { recursive: true, force: true });
  if (ferretdbBackend() !== 'postgresql') return;
  const db = postgresqlTarget(p);
  const res = spawnSync('dropdb', ['--if-exists', ...db.args, db.name], { encoding: 'utf8' });
  if (res.error || res.status !== 0)
    throw new Error(
      `cannot drop the PostgreSQL database "${db.name}": ${res.error?.message ?? res.stderr.trim()}`,
    );
}

/** FerretDB's PostgreSQL backend needs its database to exist; the profile's own one is created on first use. */
function ensurePostgresqlDatabase(p: Profile): void {
  const db = postgresqlTarget(p);
  const res = spawnSync('createdb', [...db.args, db.name], { encoding: 'utf8' });
  if (res.error) {
    throw new Error(
      `cannot create the PostgreSQL database "${db.name}" for FerretDB: ${res.error.message} (install the PostgreSQL client: apt-get install -y postgresql-client)`,
    );
  }
  if (res.status !== 0 && !/already exists/.test(res.stderr)) {
    throw new Error(`cannot create the PostgreSQL database "${db.name}" for FerretDB: ${res.stderr.trim()}`);
  }
}

/**
 * SQLite pragmas FerretDB applies to each connection, beside its own (WAL, busy timeout). temp_store(memory): a
 * multi-row insert keeps its statement journal in memory; SQLite's default spills it to a new temporary file per
 * statement once above 64 KiB, which was 9 % of FerretDB's CPU time in bench:ingest. It holds only what a failing
 * statement needs to roll back, so durability does not change.
 */
const DEFAULT_SQLITE_PRAGMAS = 'temp_store(memory)';

function sqlitePragmas(): string {
  const pragmas = (process.env.DWG_FERRETDB_SQLITE_PRAGMAS ?? DEFAULT_SQLITE_PRAGMAS)
    .split(',')
    .filter(Boolean);
  return pragmas.length ? `?${pragmas.map((p) => `_pragma=${encodeURIComponent(p)}`).join('&')}` : '';
}

function infraProcess(p: Profile, name: (typeof INFRA)[number]): ManagedProcess {
  const dir = join(p.dataDir, name);
  mkdirSync(dir, { recursive: true });
  switch (name) {
    case 'ferretdb': {
      const backend = ferretdbBackend();
      const args = [
        `--handler=${backend}`,
        `--listen-addr=127.0.0.1:${p.ports.mongo}`,
        '--debug-addr=127.0.0.1:0',
        `--state-dir=${dir}`,
        '--telemetry=disable',
        '--log-level=warn',
        // Documents per SQL insert statement (FerretDB's default 100 splits ingest's 1,000-record batches in ten).
        // Measured in bench:ingest on PostgreSQL: FerretDB 0.49–0.56 → 0.39–0.45 CPU seconds per 10,000 records.
        '--test-batch-size=1000',
      ];
      if (backend === 'sqlite') args.push(`--sqlite-url=file:${join(dir, 'sqlite')}/${sqlitePragmas()}`);
      else args.push(`--postgresql-url=${postgresqlUrl(p)}`);
      mkdirSync(join(dir, 'sqlite'), { recursive: true });
      return { name, command: ferretdbBinary(), args };
    }
    case 'redis':
      // AOF with fsync on every write: ingest acknowledges MQTT messages once they are in Redis, so Redis must not
      // lose them. noeviction: under memory pressure refuse writes rather than silently drop journal or queue data.
      return {
        name,
        command: redisBinary(),
        args: [
          '--port',
          String(p.ports.redis),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--maxmemory-policy',
          'noeviction',
          '--save',
          '',
          '--daemonize',
          'no',
        ],
      };
    case 'mosquitto':
      writeMosquittoConf(p);
      return { name, command: mosquittoBinary(), args: ['-c', mosquittoFiles(p).conf] };
  }
}

export function serviceProcess(
  p: Profile,
  name: ServiceName,
  extraEnv: NodeJS.ProcessEnv = {},
): ManagedProcess {
  return {
    name,
    command: process.execPath,
    args: serviceArgs(name),
    cwd: REPO_ROOT,
    env: serviceEnv(p, { INSTANCE_ID: `${name}-${p.name}-0`, ...extraEnv }),
  };
}

/** Regenerates the broker's password and ACL files from a database's device registry and reloads Mosquitto. */
export async function syncBrokerAuth(p: Profile, mongoUrl = urls(p).MONGO_URL): Promise<void> {
  const { client, db } = await connectMongo(mongoUrl, 'local-stack');
  try {
    const auth: MosquittoFileAuth = new MosquittoFileAuth((): DeviceRegistry => registry, {
      passwordFile: mosquittoFiles(p).passwd,
      aclFile: mosquittoFiles(p).acl,
      pidFile: mosquittoFiles(p).pid,
      serviceAccounts: serviceAccounts(p),
    });
    const registry: DeviceRegistry = new DeviceRegistry(db, auth);
    await auth.sync();
  } finally {
    await client.close();
  }
}

export interface UpOptions {
  profile: string;
  services?: boolean;
  log?: (msg: string) => void;
}

/** Starts what is not running yet and waits until each part is healthy. Safe to run again. */
export async function up(opts: UpOptions): Promise<Record<string, string>> {
  const p = profile(opts.profile);
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const u = urls(p);
  const f = mosquittoFiles(p);
  mkdirSync(f.dir, { recursive: true });
  // Mosquitto refuses to start without its files; start with the service account only, then fill from the registry.
  if (!existsSync(f.passwd)) {
    await new MosquittoFileAuth(() => ({ enabledCursor: () => [] }) as unknown as DeviceRegistry, {
      passwordFile: f.passwd,
      aclFile: f.acl,
      serviceAccounts: serviceAccounts(p),
    }).sync();
  }
  const checks: Record<(typeof INFRA)[number], () => Promise<boolean>> = {
    ferretdb: () => mongoHealthy(u.MONGO_URL),
    redis: () => redisHealthy(u.REDIS_URL),
    mosquitto: () => mqttHealthy(u.MQTT_URL, 'dwg-ingest', secrets(p).ingestMqttPassword),
  };
  for (const name of INFRA) {
    if (!readPid(p.runDir, name)) {
      if (name === 'ferretdb' && ferretdbBackend() === 'postgresql') {
        ensurePostgresqlDatabase(p);
      }
      await assertPortFree(p.ports[INFRA_PORT[name]], `${name} of the ${p.name} profile`);
      const pid = startDetached(infraProcess(p, name), p.runDir, p.logDir);
      log(`started ${name} (pid ${pid})`);
    }
    await waitFor(name, checks[name], 60_000, join(p.logDir, `${name}.log`));
  }
  const { client, db } = await connectMongo(u.MONGO_URL, 'local-stack');
  try {
    await ensureIndexes(db);
  } finally {
    await client.close();
  }
  await syncBrokerAuth(p);
  if (opts.services) {
    for (const name of SERVICES) {
      if (!existsSync(serviceMain(name))) continue;
      if (!readPid(p.runDir, name)) {
        await assertPortFree(p.ports[SERVICE_PORT[name]], `${name} of the ${p.name} profile`);
        const pid = startDetached(serviceProcess(p, name), p.runDir, p.logDir);
        log(`started ${name} (pid ${pid})`);
      }
    }
    for (const name of SERVICES) {
      if (!existsSync(serviceMain(name))) continue;
      await waitFor(
        name,
        async () => {
          const pid = readPid(p.runDir, name);
          if (!pid) throw new Error(`${name} exited`);
          return httpHealthy(`http://127.0.0.1:${p.ports[SERVICE_PORT[name]]}/health`);
        },
        60_000,
        join(p.logDir, `${name}.log`),
      );
    }
    // The console needs only the api's address; it starts after the api answers.
    await startAdmin(p, log);
  }
  return {
    ...u,
    ...pick(serviceEnv(p), [
      'INGEST_MQTT_USERNAME',
      'INGEST_MQTT_PASSWORD',
      'MOSQUITTO_PASSWD_FILE',
      'MOSQUITTO_ACL_FILE',
      'MOSQUITTO_PID_FILE',
    ]),
    DATA_DIR: p.dataDir,
    LOG_DIR: p.logDir,
  };
}

/** Stops everything this profile started: extra processes first, then services, then infrastructure. */
export async function down(profileName: string, extra: string[] = []): Promise<string[]> {
  const p = profile(profileName);
  const stopped: string[] = [];
  for (const name of [
    ...extra,
    'sim',
    'admin',
    ...[...SERVICES].reverse(),
    'mosquitto',
    'redis',
    'ferretdb',
  ]) {
    if (await stopProcess(p.runDir, name)) stopped.push(name);
  }
  return stopped;
}

export function status(profileName: string): Record<string, string> {
  const p = profile(profileName);
  const out: Record<string, string> = {};
  for (const name of [...INFRA, ...SERVICES, 'sim', 'admin']) {
    const pid = readPid(p.runDir, name);
    out[name] = pid && isAlive(pid) ? `running (pid ${pid})` : 'stopped';
  }
  return out;
}

function pick(o: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, o[k] ?? '']));
}
