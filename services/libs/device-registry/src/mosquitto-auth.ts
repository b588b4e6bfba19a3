import { readFile, rename, writeFile } from 'node:fs/promises';
import { topicFor } from '@dwg/contracts';
import type { BrokerAuthSync, DeviceRegistry } from './registry';
import { hashSecret, mosquittoPasswordLine } from './secret';

export interface ServiceAccount {
  username: string;
  password: string;
  /** Topic filters this account may read (subscribe to). */
  read: string[];
}

export interface MosquittoAuthOptions {
  passwordFile: string;
  aclFile: string;
  /** Mosquitto re-reads both files on SIGHUP; without a pid file the files are written but not applied. */
  pidFile?: string;
  serviceAccounts: ServiceAccount[];
}

/**
 * Local-broker adapter of the registry: writes Mosquitto's password and ACL files from the enabled devices and
 * signals Mosquitto to reload, which refuses removed or disabled devices from then on. Production uses EMQX,
 * which authenticates against the devices collection itself (infra/emqx), so this adapter is not deployed there.
 */
export class MosquittoFileAuth implements BrokerAuthSync {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly registry: () => DeviceRegistry,
    private readonly opts: MosquittoAuthOptions,
  ) {}

  /** Coalesces concurrent calls: one write runs, and one more follows if anything changed meanwhile. */
  async sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.writeAndReload();
      } while (this.again);
    })().finally(() => (this.running = null));
    return this.running;
  }

  private async writeAndReload(): Promise<void> {
    const pw: string[] = [];
    const acl: string[] = [];
    for (const sa of this.opts.serviceAccounts) {
      pw.push(mosquittoPasswordLine(sa.username, hashSecret(sa.password)));
      acl.push(`user ${sa.username}`, ...sa.read.map((t) => `topic read ${t}`), '');
    }
    for await (const d of this.registry().enabledCursor()) {
      pw.push(mosquittoPasswordLine(d._id, d));
      acl.push(
        `user ${d._id}`,
        `topic write ${topicFor(d._id, d.kind)}`,
        `topic write ${topicFor(d._id, 'status')}`,
        '',
      );
    }
    await atomicWrite(this.opts.passwordFile, pw.join('\n') + '\n');
    await atomicWrite(this.opts.aclFile, acl.join('\n') + '\n');
    if (this.opts.pidFile) {
      const pid = Number((await readFile(this.opts.pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGHUP');
        } catch {
          // broker not running: it reads the new files when it starts
        }
      }
    }
  }
}

async function atomicWrite(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, path);
}
