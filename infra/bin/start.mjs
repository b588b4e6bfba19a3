// npm start: installs what is missing, builds, starts infrastructure and services on the embedded default
// (FerretDB/SQLite, Redis, Mosquitto on the dev profile's ports), seeds the demo district on an empty database,
// runs the device simulators against the seeded devices, and stops everything on Ctrl-C.
import { createRequire } from 'node:module';
import { bootstrap, ROOT } from './bootstrap.mjs';

bootstrap();
const require = createRequire(import.meta.url);
const stack = require(`${ROOT}/infra/local-stack/dist/index.js`);

const p = stack.profile('dev');
const env = await stack.up({ profile: 'dev', services: true });
let demo;
try {
  demo = stack.seedDemo(p, env.MONGO_URL, { inheritOutput: true });
} catch {
  process.stderr.write(
    'seeding the demo data failed; the stack is still up (npm run stack -- down stops it)\n',
  );
  process.exit(1);
}
stack.startDemoSim(p, env.MQTT_URL, demo, {
  vehicles: 50,
  badges: 300,
  faults: 'duplicate=0.01,outOfOrder=0.01,offline=0.002,malformed=0.002',
});
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
