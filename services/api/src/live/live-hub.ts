import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { liveChannel, type LiveBatch } from '@dwg/contracts';
import { ApiConfig } from '../config';
import type { Principal } from '../policy/principal';
import { LOGGER, MONGO } from '../tokens';
import { deviceVisibleTo, type DeviceLink } from './live-scope';
import { deriveStatus } from './live-status';
import { LiveRepository } from './live.repository';
import { docInScope } from '../policy/scope';

/** One open stream: who is watching, and how to send them an event. */
export interface LiveClient {
  principal: Principal;
  send(event: string, data: unknown): void;
  /** Ends the response (shutdown: an open stream would otherwise hold the HTTP server open). */
  end(): void;
}

/**
 * Fans the ingest's live messages out to the open SSE streams. One Redis subscription per api process; each
 * message is filtered per client by the device's tenants (policy/scope.ts, through a cached device → contract →
 * operator/agency map refreshed on a timer, and at once when a device it does not know shows up). Alarm changes
 * are picked up from the `alarms` collection on the same timer.
 */
@Injectable()
export class LiveHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly repo: LiveRepository;
  private sub: Redis | null = null;
  private links = new Map<string, DeviceLink>();
  private contracts = new Map<string, { operatorId: string; agencyId: string }>();
  private alarms = new Map<string, number>();
  private readonly clients = new Set<LiveClient>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private lastRefresh = 0;
  private refreshing: Promise<void> | null = null;
  private alarmsSince = new Date().toISOString();
  private readonly sentAtSince = new Set<string>();

  constructor(
    @Inject(MONGO) mongo: { db: Db },
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.repo = new LiveRepository(mongo.db);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh().catch((e) => this.logger.warn({ err: e }, 'live: first device map load failed'));
    // RESP2 as on ingest's connections; a subscriber connection does nothing else. ioredis resubscribes after a
    // reconnect by itself.
    this.sub = new Redis(this.config.REDIS_URL, { protocol: 2, maxRetriesPerRequest: null });
    this.sub.on('error', (e) => this.logger.warn({ err: e }, 'live: redis subscriber error'));
    this.sub.on('message', (_channel: string, text: string) => {
      this.chain = this.chain
        .then(() => this.onMessage(text))
        .catch((e) => this.logger.error({ err: e }, 'live'));
    });
    void this.sub
      .subscribe(liveChannel(this.config.REDIS_PREFIX))
      .catch((e) => this.logger.error({ err: e }, 'live: subscribe failed'));
    this.timer = setInterval(() => void this.tick(), this.config.LIVE_REFRESH_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.clients) {
      c.send('bye', { reason: 'server shutting down' });
      c.end();
    }
    this.clients.clear();
    await this.sub?.quit().catch(() => undefined);
  }

  /** Registers a stream; returns the function that removes it. */
  add(client: LiveClient): () => void {
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private async tick(): Promise<void> {
    try {
      await this.refresh();
      await this.pollAlarms();
    } catch (e) {
      this.logger.warn({ err: e }, 'live: refresh failed; keeping the previous device map');
    }
  }

  /** Reloads the device → tenant map (one refresh at a time). */
  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const [devices, contracts, alarms] = await Promise.all([
          this.repo.devices({}),
          this.repo.contracts(),
          this.repo.openAlarms(),
        ]);
        const links = new Map<string, DeviceLink>();
        for (const d of devices)
          links.set(d._id, {
            deviceId: d._id,
            kind: d.kind,
            contractId: d.contractId,
            operatorId: d.operatorId,
            agencyId: d.agencyId,
            vehicleId: d.vehicleId,
            workerId: d.workerId,
          });
        this.links = links;
        this.contracts = new Map(contracts.map((c) => [c._id, c]));
        this.alarms = alarms;
        this.lastRefresh = Date.now();
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async pollAlarms(): Promise<void> {
    if (this.clients.size === 0) {
      this.alarmsSince = new Date().toISOString();
      this.sentAtSince.clear();
      return;
    }
    const rows = await this.repo.alarmsChangedSince(this.alarmsSince);
    for (const a of rows) {
      const at = a.changedAt instanceof Date ? a.changedAt.toISOString() : String(a.changedAt);
      // `$gte` so that two changes in the same millisecond are both seen; this set keeps them from repeating.
      const key = `${String(a._id)}|${at}`;
      if (at === this.alarmsSince && this.sentAtSince.has(key)) continue;
      if (at > this.alarmsSince) {
        this.alarmsSince = at;
        this.sentAtSince.clear();
      }
      this.sentAtSince.add(key);
      const c = this.contracts.get(String(a.contractId));
      const { _id, ...alarm } = a;
      for (const client of this.clients) {
        if (client.principal.role !== 'admin' && !(c && docInScope(client.principal, 'live', c))) continue;
        client.send('alarm', { id: String(_id), ...alarm });
      }
    }
  }

  private async onMessage(text: string): Promise<void> {
    if (this.clients.size === 0) return;
    let msg: LiveBatch;
    try {
      msg = JSON.parse(text) as LiveBatch;
    } catch {
      this.logger.warn('live: unreadable message on the live channel');
      return;
    }
    if (msg.v !== 1) return;
    const unknown = [...msg.positions, ...msg.statuses].some((p) => !this.links.has(p.deviceId));
    // A device created since the last refresh: reload now (at most once a second) rather than hide its first fixes.
    if (unknown && Date.now() - this.lastRefresh > 1000) await this.refresh().catch(() => undefined);
    const now = Date.now();
    const opts = {
      offlineAfterMs: this.config.LIVE_OFFLINE_AFTER_S * 1000,
      movingKmh: this.config.LIVE_MOVING_KMH,
    };
    const positions = msg.positions.map((p) => {
      const link = this.links.get(p.deviceId);
      const subjectId = link?.vehicleId ?? link?.workerId ?? null;
      const openAlarms =
        (this.alarms.get(p.deviceId) ?? 0) + (subjectId ? (this.alarms.get(subjectId) ?? 0) : 0);
      return {
        ...p,
        contractId: link?.contractId ?? null,
        subjectId,
        openAlarms,
        status: deriveStatus(
          { lastSeenAt: p.receivedAt, lastFixAt: p.ts, spd: p.spd, ops: p.ops, openAlarms },
          now,
          opts,
        ),
        publishedAt: msg.publishedAt,
      };
    });
    const statuses = msg.statuses;
    for (const client of this.clients) {
      const visible = (id: string) => deviceVisibleTo(client.principal, this.links.get(id));
      const pos = positions.filter((p) => visible(p.deviceId));
      if (pos.length) client.send('position', { positions: pos });
      const st = statuses.filter((s) => visible(s.deviceId));
      if (st.length) client.send('status', { statuses: st });
    }
  }
}
