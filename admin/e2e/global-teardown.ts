import { otherLiveUsers, unregister } from '../../services/libs/testing/src/stack-users';
import { stopE2eStack } from './stack';

export default async function globalTeardown(): Promise<void> {
  unregister();
  if (process.env.DWG_KEEP_TEST_STACK === '1') return; // leave it up to inspect a failure
  if (otherLiveUsers().length === 0) await stopE2eStack();
}
