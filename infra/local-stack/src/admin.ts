import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, urls, type Profile } from './profiles';
import { assertPortFree, readPid, startDetached, waitFor, type ManagedProcess } from './processes';

/** The react-admin console (admin/): built with Vite, served by admin/serve.mjs on the profile's admin port. */
export const ADMIN_DIR = join(REPO_ROOT, 'admin');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, f) => Math.max(m, newestMtime(join(path, f))), st.mtimeMs);
}

/** The build is stale when any source is newer than dist/index.html (or there is no build). */
export function adminBuildStale(): boolean {
  const built = join(ADMIN_DIR, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const src = Math.max(
    ...['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((f) =>
      newestMtime(join(ADMIN_DIR, f)),
    ),
  );
  return src > statSync(built).mtimeMs;
}

export function buildAdmin(log: (m: string) => void): void {
  log('building the console (vite build; about a minute)');
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: ADMIN_DIR,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('building the console failed (see the output above)');
}

export function adminProcess(p: Profile, extraEnv: NodeJS.ProcessEnv = {}): ManagedProcess {
  return {
    name: 'admin',
    command: process.execPath,
    args: [join(ADMIN_DIR, 'serve.mjs')],
    cwd: ADMIN_DIR,
    env: {
      ADMIN_PORT: String(p.ports.admin),
      API_URL: urls(p).API_URL,
      ...extraEnv,
    },
  };
}

/** Builds the console when stale, starts its server unless running, and waits until it answers. */
export async function startAdmin(p: Profile, log: (m: string) => void): Promise<void> {
  if (!existsSync(join(ADMIN_DIR, 'serve.mjs'))) return;
  if (!readPid(p.runDir, 'admin')) {
    if (adminBuildStale()) buildAdmin(log);
    await assertPortFree(p.ports.admin, `the console of the ${p.name} profile`);
    const pid = startDetached(adminProcess(p), p.runDir, p.logDir);
    log(`started admin (pid ${pid})`);
  }
  await waitFor(
    'admin',
    async () => {
      if (!readPid(p.runDir, 'admin')) throw new Error('admin exited');
      return (await fetch(`${urls(p).ADMIN_URL}/health`)).ok;
    },
    60_000,
    join(p.logDir, 'admin.log'),
  );
}
