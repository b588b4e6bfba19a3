import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO_ROOT,
  chromiumBinary,
  down,
  profile,
  resetProfile,
  SERVICES,
  seedDemo,
  serviceMain,
  startDemoSim,
  up,
  urls,
} from '@dwg/local-stack';

/**
 * The stack the console's end-to-end tests (and the screenshot script) run against: the test profile with every
 * service, the demo seed with its month-to-date KPI history (as npm start seeds it), the device simulator and the
 * console's server.
 */
export const PROFILE = 'test';

export interface E2eEnv {
  ADMIN_URL: string;
  API_URL: string;
  MQTT_URL: string;
  CHROMIUM: string;
}

export async function startE2eStack(opts: { fresh: boolean; log?: (m: string) => void }): Promise<E2eEnv> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const chromium = chromiumBinary();
  const p = profile(PROFILE);
  for (const f of SERVICES) {
    if (!existsSync(serviceMain(f)))
      throw new Error(`services/${f}/dist is missing: run npm run build first`);
  }
  if (opts.fresh) {
    await resetProfile(PROFILE);
  }
  const env = await up({ profile: PROFILE, services: true, log });
  const demo = seedDemo(p, env.MONGO_URL);
  // Fewer badges than npm start: the machine runs the browser too.
  startDemoSim(p, env.MQTT_URL, demo, { vehicles: 50, badges: 60 });
  const u = urls(p);
  return { ADMIN_URL: u.ADMIN_URL, API_URL: u.API_URL, MQTT_URL: u.MQTT_URL, CHROMIUM: chromium };
}

export async function stopE2eStack(): Promise<void> {
  await down(PROFILE);
}

export interface DemoUser {
  username: string;
  password: string;
  role: string;
  tenant: string;
}

export function demoUsers(): DemoUser[] {
  return (
    JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'demo', 'credentials.json'), 'utf8')) as {
      users: DemoUser[];
    }
  ).users;
}

export function demoUser(username: string): DemoUser {
  const u = demoUsers().find((x) => x.username === username);
  if (!u) throw new Error(`no demo user ${username} in infra/demo/credentials.json`);
  return u;
}
