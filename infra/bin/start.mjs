// npm start: installs what is missing, builds, starts infrastructure and services on the embedded default
// (FerretDB/SQLite, Redis, Mosquitto on the dev profile's ports), seeds the demo district on an empty database,
// runs the device simulators against the seeded devices, and stops everything on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bootstrap, ROOT } from './bootstrap.mjs';

bootstrap();
const require = createRequire(import.meta.url);
const stack = require(`${ROOT}/infra/local-stack/dist/index.js`);

const p = stack.profile('dev');
const env = await stack.up({ profile: 'dev', services: true });
const creds = join(p.dataDir, 'sim-credentials.json');
const seed = spawnSync(
  process.execPath,
  [
    'services/api/dist/seed/cli.js',
    '--mongo-url',
    env.MONGO_URL,
    '--credentials-out',
    creds,
    '--geojson-out',
    join(p.dataDir, 'demo-world.geojson'),
    '--broker-auth',
    'mosquitto-file',
    '--kpi-history',
  ],
  { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...stack.serviceEnv(p) } },
);
if (seed.status !== 0) {
  process.stderr.write(
    'seeding the demo data failed; the stack is still up (npm run stack -- down stops it)\n',
  );
  process.exit(1);
}
if (!stack.readPid(p.runDir, 'sim')) {
  stack.startDetached(
    {
      name: 'sim',
      command: process.execPath,
      args: [
        'device-sim/dist/cli.js',
        '--credentials',
        creds,
        '--vehicles',
        '50',
        '--badges',
        '300',
        '--duration',
        '0',
        '--mqtt-url',
        env.MQTT_URL,
        '--quiet',
        '--world-from',
        join(p.dataDir, 'demo-world.geojson'),
        '--faults',
        'duplicate=0.01,outOfOrder=0.01,offline=0.002,malformed=0.002',
      ],
      cwd: ROOT,
    },
    p.runDir,
    p.logDir,
  );
}
process.stdout.write(`
Dawuguan is running (profile dev).
  Console    ${env.ADMIN_URL}   (大物管 console: log in with a demo login)
  API        ${env.API_URL}/api   (OpenAPI UI: ${env.API_URL}/api/docs)
  MQTT       ${env.MQTT_URL}
  MongoDB    ${env.MONGO_URL}   (FerretDB ${process.env.DWG_FERRETDB_BACKEND ?? 'sqlite'})
  Redis      ${env.REDIS_URL}
  Simulators 50 vehicles on the seeded routes and 300 badges in the seeded grid zones (log: ${p.logDir}/sim.log)
  Demo logins: infra/demo/credentials.json
Logs in ${p.logDir}. Ctrl-C stops everything (or leave it running and use: npm run stack -- down).
`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  await stack.down('dev');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {
  const s = stack.status('dev');
  const down = Object.entries(s)
    .filter(([k, v]) => k !== 'admin' && v === 'stopped')
    .map(([k]) => k);
  if (down.length) process.stderr.write(`not running: ${down.join(', ')} (see ${p.logDir})\n`);
}, 30_000);
