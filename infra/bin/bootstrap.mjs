// Runs before anything TypeScript: installs node modules when missing or stale, then builds.
// Plain JavaScript on purpose: on a fresh clone there is no TypeScript compiler yet.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(
      `\n${what} failed (exit ${r.status}). Fix the error above and run the command again.\n`,
    );
    process.exit(r.status ?? 1);
  }
}

export function bootstrap({ build = true } = {}) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    process.stderr.write(`Node.js ${process.versions.node} is too old: install Node.js 20.19 or newer.\n`);
    process.exit(1);
  }
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    process.stderr.write('installing node modules (npm ci)\n');
    run('npm', ['ci', '--no-audit', '--no-fund'], 'npm ci');
  }
  if (build)
    run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'],
      'the TypeScript build',
    );
}
