import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.pid`);
}

export function readPid(runDir: string, name: string): number | null {
  const f = pidFile(runDir, name);
  if (!existsSync(f)) return null;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return pid > 0 && isAlive(pid) ? pid : null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Starts a process in its own group, detached from this one, logging to logDir/name.log. */
export function startDetached(p: ManagedProcess, runDir: string, logDir: string): number {
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, `${p.name}.log`), 'a');
  const child = spawn(p.command, p.args, {
    cwd: p.cwd,
    env: { ...process.env, ...p.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (!child.pid) throw new Error(`could not start ${p.name} (${p.command})`);
  child.unref();
  writeFileSync(pidFile(runDir, p.name), String(child.pid));
  return child.pid;
}

/** SIGTERM, then SIGKILL after the grace period. */
export async function stopProcess(runDir: string, name: string, graceMs = 15_000): Promise<boolean> {
  const pid = readPid(runDir, name);
  rmSafe(pidFile(runDir, name));
  if (!pid) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  return true;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  logHint?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(
    `${what} did not become healthy within ${timeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}${logHint ? `; see ${logHint}` : ''}`,
  );
}

function rmSafe(f: string) {
  try {
    rmSync(f);
  } catch {
    // not there
  }
}

/**
 * Refuses to start a process whose port another process already holds: the health check would otherwise pass
 * against that process (another checkout, or another profile shifted onto this one by DWG_PORT_OFFSET) and the
 * stack would silently use, and wipe, someone else's data.
 */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE'));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
  if (inUse) {
    throw new Error(
      `port ${port} for ${what} is already in use by another process (another checkout, or a profile shifted ` +
        `onto this one). Stop it, or set DWG_PORT_OFFSET to a multiple of 1000 that no other checkout uses.`,
    );
  }
}
