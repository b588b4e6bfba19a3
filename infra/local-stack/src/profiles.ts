import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');

export interface Ports {
  mongo: number;
  redis: number;
  mqtt: number;
  api: number;
  ingestHttp: number;
  workerHttp: number;
  admin: number;
}

/** Each profile has its own ports and data folder, so development, tests and benchmarks never share state. */
const PORTS: Record<string, Ports> = {
  dev: {
    mongo: 27117,
    redis: 16379,
    mqtt: 18830,
    api: 3000,
    ingestHttp: 3001,
    workerHttp: 3002,
    admin: 5173,
  },
  test: {
    mongo: 27217,
    redis: 16479,
    mqtt: 18930,
    api: 3100,
    ingestHttp: 3101,
    workerHttp: 3102,
    admin: 5273,
  },
  bench: {
    mongo: 27317,
    redis: 16579,
    mqtt: 19030,
    api: 3200,
    ingestHttp: 3201,
    workerHttp: 3202,
    admin: 5373,
  },
};

export interface Profile {
  name: string;
  ports: Ports;
  dataDir: string;
  runDir: string;
  logDir: string;
  dbName: string;
}

/**
 * DWG_PORT_OFFSET shifts every port of every profile, so two checkouts of the project (say, two branches
 * being tested side by side) can each run their own stacks on one machine. The profiles sit 100 ports apart, so
 * offsets must be multiples of 1000; a port that is taken anyway is refused at start (assertPortFree).
 */
function portOffset(): number {
  const raw = process.env.DWG_PORT_OFFSET ?? '0';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 20000 || n % 1000 !== 0) {
    throw new Error(`DWG_PORT_OFFSET must be a multiple of 1000 between 0 and 20000, got "${raw}"`);
  }
  return n;
}

export function profile(name: string): Profile {
  const base = PORTS[name];
  if (!base) throw new Error(`unknown profile "${name}"; use one of ${Object.keys(PORTS).join(', ')}`);
  const offset = portOffset();
  const ports = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, v + offset])) as unknown as Ports;
  const dataDir = join(process.env.DWG_DATA_DIR ?? join(REPO_ROOT, '.data'), name);
  return {
    name,
    ports,
    dataDir,
    runDir: join(dataDir, 'run'),
    logDir: join(dataDir, 'logs'),
    dbName: 'dawuguan',
  };
}

export function urls(p: Profile) {
  return {
    MONGO_URL: `mongodb://127.0.0.1:${p.ports.mongo}/${p.dbName}`,
    REDIS_URL: `redis://127.0.0.1:${p.ports.redis}`,
    MQTT_URL: `mqtt://127.0.0.1:${p.ports.mqtt}`,
    API_URL: `http://127.0.0.1:${p.ports.api}`,
    ADMIN_URL: `http://127.0.0.1:${p.ports.admin}`,
  };
}
