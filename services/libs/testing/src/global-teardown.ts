import { down } from '@dwg/local-stack';

export default async function globalTeardown(): Promise<void> {
  if (process.env.DWG_KEEP_TEST_STACK === '1') return; // leave it up to inspect a failure
  await down('test');
}
