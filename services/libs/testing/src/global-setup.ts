import { rmSync } from 'node:fs';
import { down, profile, up } from '@dwg/local-stack';

/**
 * Starts FerretDB, Redis and Mosquitto on the test profile's own ports with fresh data folders, so every run
 * begins from nothing and never touches the development stack or the machine's own services.
 */
export default async function globalSetup(): Promise<void> {
  await down('test');
  rmSync(profile('test').dataDir, { recursive: true, force: true });
  const env = await up({ profile: 'test', services: false, log: () => undefined });
  for (const [k, v] of Object.entries(env)) process.env[`DWG_TEST_${k}`] = v;
}
