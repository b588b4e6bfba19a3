import { resetProfile, up } from '@dwg/local-stack';
import { otherLiveUsers, register } from './stack-users';

/**
 * Starts FerretDB, Redis and Mosquitto on the test profile's own ports, so tests never touch the development stack
 * or the machine's own services. A run that finds no other run using the stack starts it from empty data folders.
 */
export default async function globalSetup(): Promise<void> {
  if (otherLiveUsers().length === 0) {
    await resetProfile('test');
  }
  register();
  const env = await up({ profile: 'test', services: false, log: () => undefined });
  for (const [k, v] of Object.entries(env)) process.env[`DWG_TEST_${k}`] = v;
}
