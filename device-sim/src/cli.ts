#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import type { FeatureCollection } from 'geojson';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { provisionSimDevices, readCredentials, selectDevices, writeCredentials } from './credentials';
import { parseFaults } from './faults';
import { DEFAULT_SEED } from './fleet';
import { Simulator, type DeviceCredential, type SimulationProgress } from './simulator';
import { buildWorld, worldFromGeoJSON, worldToGeoJSON } from './world';

const EXIT_CONNECT = 1;
const EXIT_USAGE = 2;

async function main(): Promise<number> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('device-sim')
    .usage(
      '$0 [options]\n\nSimulated vehicle GPS terminals and worker badges publishing device protocol v1 over MQTT.',
    )
    .option('vehicles', {
      type: 'number',
      default: 10,
      describe: 'GPS terminals (the first N gps devices of the credentials)',
    })
    .option('badges', {
      type: 'number',
      default: 20,
      describe: 'badges (the first M badge devices of the credentials)',
    })
    .option('gps-interval', { type: 'number', default: 5, describe: 'seconds between GPS records' })
    .option('badge-interval', { type: 'number', default: 30, describe: 'seconds between badge records' })
    .option('duration', {
      type: 'number',
      default: 600,
      describe: 'simulated seconds; 0 = until Ctrl-C (real time only)',
    })
    .option('records', { type: 'number', describe: 'records per device (instead of --duration)' })
    .option('seed', {
      type: 'number',
      default: DEFAULT_SEED,
      describe: 'world, tracks and faults follow from it',
    })
    .option('mqtt-url', { type: 'string', default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:18830' })
    .option('credentials', {
      type: 'string',
      describe: 'JSON file { "devices": [{ "deviceId", "kind", "secret" }] }',
    })
    .option('faults', {
      type: 'string',
      default: '',
      describe: 'e.g. duplicate=0.02,outOfOrder=0.02,offline=0.01,malformed=0.01,clockSkew=0.005',
    })
    .option('fast', {
      type: 'boolean',
      default: false,
      describe: 'compress time: publish as fast as acks allow, ts spaced by the interval and ending now',
    })
    .option('sos-rate', { type: 'number', default: 0, describe: 'chance per badge record of an SOS' })
    .option('connect-concurrency', { type: 'number', default: 50 })
    .option('provision', {
      type: 'boolean',
      default: false,
      describe: 'register sim-veh-NNNN / sim-bdg-NNNN in the device registry and write --credentials',
    })
    .option('provision-only', {
      type: 'boolean',
      default: false,
      describe: 'with --provision: write the credentials and exit',
    })
    .option('mongo-url', {
      type: 'string',
      default: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27117/dawuguan',
    })
    .option('world-geojson', {
      type: 'string',
      describe: 'also write the simulated roads, routes and zones as GeoJSON to this file',
    })
    .option('world-from', {
      type: 'string',
      describe:
        'drive the routes and walk the zones of this GeoJSON (e.g. the demo seed export) instead of a generated world',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
    .check((a) => {
      for (const k of ['vehicles', 'badges', 'connect-concurrency'] as const)
        if (!Number.isInteger(a[k]) || a[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
      if (!(a['gps-interval'] > 0) || !(a['badge-interval'] > 0))
        throw new Error('intervals must be positive');
      if (a.duration === 0 && a.fast && a.records === undefined)
        throw new Error('--fast needs --duration > 0 or --records');
      if (!a.provision && !a.credentials)
        throw new Error('give --credentials, or --provision to create them');
      parseFaults(a.faults); // fails early with the reason
      return true;
    })
    .strict()
    .help()
    .parseAsync();

  const log = (line: string) => process.stderr.write(`${line}\n`);
  const seed = argv.seed;

  if (argv['world-geojson']) {
    await writeFile(argv['world-geojson'], JSON.stringify(worldToGeoJSON(buildWorld({ seed }))));
    log(`world (seed ${seed}) written to ${argv['world-geojson']}`);
  }

  let credentials: DeviceCredential[];
  if (argv.provision) {
    const path = argv.credentials ?? 'sim-credentials.json';
    credentials = await provisionSimDevices(argv['mongo-url'], argv.vehicles, argv.badges);
    await writeCredentials(path, credentials);
    log(`provisioned ${argv.vehicles} vehicles and ${argv.badges} badges; credentials written to ${path}`);
    log(
      'hint: provisioning here does not reload the local broker. Mosquitto accepts the new secrets only after its ' +
        'password file is regenerated from the registry (restart the local stack); EMQX reads the registry directly.',
    );
    if (argv['provision-only']) return 0;
  } else {
    credentials = selectDevices(
      await readCredentials(argv.credentials as string),
      argv.vehicles,
      argv.badges,
    );
  }

  const sim = new Simulator({
    mqttUrl: argv['mqtt-url'],
    credentials,
    gpsIntervalMs: Math.round(argv['gps-interval'] * 1000),
    badgeIntervalMs: Math.round(argv['badge-interval'] * 1000),
    durationMs: argv.duration > 0 ? argv.duration * 1000 : undefined,
    recordsPerDevice: argv.records,
    seed,
    realTime: !argv.fast,
    faults: parseFaults(argv.faults),
    sosRate: argv['sos-rate'],
    connectConcurrency: argv['connect-concurrency'],
    ...(argv['world-from']
      ? {
          world: worldFromGeoJSON(
            JSON.parse(await readFile(argv['world-from'], 'utf8')) as FeatureCollection,
            seed,
          ),
        }
      : {}),
  });

  let warnings = 0;
  sim.on('warning', (w) => {
    if (++warnings <= 20) log(`warning: ${w}`);
    else if (warnings === 21) log('warning: further warnings suppressed (counted in the summary)');
  });
  sim.on('connect-failed', (f) => log(`connect failed: ${f.deviceId}: ${f.error}`));
  if (!argv.quiet) sim.on('progress', (p) => log(progressLine(p)));

  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    log('stopping: publishing what devices hold, waiting for acks (Ctrl-C again to abort)');
    void sim.stop();
  });

  const summary = await sim.run();
  process.stdout.write(`${JSON.stringify({ ...summary, warnings }, null, 2)}\n`);
  if (summary.devices.failed > 0) {
    log(`${summary.devices.failed} of ${credentials.length} devices could not connect`);
    return EXIT_CONNECT;
  }
  return 0;
}

function progressLine(p: SimulationProgress): string {
  const s = (k: 'gps' | 'badge' | 'status') => `${k} ${p.acknowledged[k]}/${p.sent[k]}`;
  return (
    `[${(p.elapsedMs / 1000).toFixed(0).padStart(5)}s] ${p.phase.padEnd(10)} ` +
    `devices ${p.devices.connected}/${p.devices.total}${p.devices.failed ? ` (${p.devices.failed} failed)` : ''}  ` +
    `acked/sent ${s('gps')}  ${s('badge')}  ${s('status')}  ` +
    `${p.rate.messagesPerSec} msg/s ${p.rate.recordsPerSec} rec/s`
  );
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`device-sim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT_USAGE);
  },
);
