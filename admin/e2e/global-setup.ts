import { otherLiveUsers, register } from '../../services/libs/testing/src/stack-users';
import { startE2eStack } from './stack';

/** Starts the test stack with every service, the demo seed, the simulator and the console. */
export default async function globalSetup(): Promise<void> {
  // DWG_E2E_REUSE=1 keeps a running test stack and its data (quicker when iterating on the console).
  const fresh = otherLiveUsers().length === 0 && process.env.DWG_E2E_REUSE !== '1';
  register();
  const env = await startE2eStack({ fresh });
  for (const [k, v] of Object.entries(env)) process.env[`DWG_E2E_${k}`] = v;
}
