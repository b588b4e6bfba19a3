import { down } from '@dwg/local-stack';
import { otherLiveUsers, unregister } from './stack-users';

export default async function globalTeardown(): Promise<void> {
  unregister();
  if (process.env.DWG_KEEP_TEST_STACK === '1') return; // leave it up to inspect a failure
  if (otherLiveUsers().length === 0) await down('test');
}
