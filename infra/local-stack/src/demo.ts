import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type Profile } from './profiles';
import { readPid, startDetached } from './processes';
import { serviceEnv } from './stack';

export interface DemoFiles {
  /** The simulated devices' credentials, written by the seed. */
  credentials: string;
  /** The demo district's zones and routes, for the simulator to drive in. */
  world: string;
}

/**
 * Seeds the demo district with its month-to-date KPI history (what `npm start` and the console's end-to-end
 * stack show), writing the simulator's credentials and world into the profile's data folder. Throws with the
 * seed's output on failure.
 */
export function seedDemo(p: Profile, mongoUrl: string, opts: { inheritOutput?: boolean } = {}): DemoFiles {
  const files = {
    credentials: join(p.dataDir, 'sim-credentials.json'),
    world: join(p.dataDir, 'demo-world.geojson'),
  };
  const seed = spawnSync(
    process.execPath,
    [
      'services/api/dist/seed/cli.js',
      '--mongo-url',
      mongoUrl,
      '--credentials-out',
      files.credentials,
      '--geojson-out',
      files.world,
      '--broker-auth',
      'mosquitto-file',
      '--kpi-history',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...serviceEnv(p) },
      encoding: 'utf8',
      stdio: opts.inheritOutput ? 'inherit' : 'pipe',
    },
  );
  if (seed.status !== 0)
    throw new Error(`seeding the demo data failed${seed.stderr ? `:\n${seed.stderr}` : ''}`);
  return files;
}

/** Starts the device simulator on the demo district in the background, unless the profile already runs one. */
export function startDemoSim(
  p: Profile,
  mqttUrl: string,
  files: DemoFiles,
  fleet: { vehicles: number; badges: number; faults?: string },
): void {
  if (readPid(p.runDir, 'sim')) return;
  const args = [
    'device-sim/dist/cli.js',
    '--credentials',
    files.credentials,
    '--vehicles',
    String(fleet.vehicles),
    '--badges',
    String(fleet.badges),
    '--duration',
    '0',
    '--mqtt-url',
    mqttUrl,
    '--quiet',
    '--world-from',
    files.world,
  ];
  if (fleet.faults) args.push('--faults', fleet.faults);
  startDetached({ name: 'sim', command: process.execPath, args, cwd: REPO_ROOT }, p.runDir, p.logDir);
}
