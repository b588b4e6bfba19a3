import type { Redis } from 'ioredis';
import { liveChannel, type LiveBatch, type LivePosition } from '@dwg/contracts';
import type { Batch } from '../pipeline/batch';

/** Builds the live message of a stored batch: the newest fix per device and the status changes; null if empty. */
export function liveBatchOf(batch: Batch, now = Date.now()): LiveBatch | null {
  if (batch.latest.size === 0 && batch.statuses.length === 0) return null;
  const positions: LivePosition[] = [];
  for (const p of batch.latest.values()) {
    const pos: LivePosition = {
      deviceId: p.deviceId,
      kind: p.kind,
      ts: p.ts.getTime(),
      receivedAt: p.receivedAt.getTime(),
      lng: p.loc.coordinates[0],
      lat: p.loc.coordinates[1],
    };
    for (const k of ['spd', 'hdg', 'bat', 'ign', 'ops', 'evt'] as const) {
      if (p[k] !== undefined) (pos as unknown as Record<string, unknown>)[k] = p[k];
    }
    positions.push(pos);
  }
  const statuses = batch.statuses.map((s) => ({
    deviceId: s.deviceId,
    online: s.status === 'online',
    at: s.at.getTime(),
  }));
  return { v: 1, publishedAt: now, positions, statuses };
}

/**
 * Publishes each stored batch's newest positions on the live channel. Called after the insert, never awaited by
 * the durable path: a failed publish is logged and the live view catches up with the next fix.
 */
export class LivePublisher {
  private readonly channel: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly onError: (e: unknown) => void,
  ) {
    this.channel = liveChannel(redisPrefix);
  }

  publish(batch: Batch): void {
    const msg = liveBatchOf(batch);
    if (!msg) return;
    this.redis.publish(this.channel, JSON.stringify(msg)).catch(this.onError);
  }
}
