import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, profile } from '@dwg/local-stack';

/**
 * Several jest runs may share the test stack (a developer's watch run and a full run, say). Each run registers its
 * pid; the stack is wiped and started fresh only when no other live run uses it, and stopped by the last one out.
 */
function usersDir(): string {
  return join(profile('test').runDir, 'users');
}

export function otherLiveUsers(): number[] {
  let entries: string[];
  try {
    entries = readdirSync(usersDir());
  } catch {
    return [];
  }
  return entries
    .map(Number)
    .filter((pid) => pid > 0 && pid !== process.pid)
    .filter((pid) => {
      if (isAlive(pid)) return true;
      rmSync(join(usersDir(), String(pid)), { force: true });
      return false;
    });
}

export function register(): void {
  mkdirSync(usersDir(), { recursive: true });
  writeFileSync(join(usersDir(), String(process.pid)), '');
}

export function unregister(): void {
  rmSync(join(usersDir(), String(process.pid)), { force: true });
}
