import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** Runs a write to the state documents alone among all worker processes. */
export type WriteLock = <T>(fn: () => Promise<T>) => Promise<T>;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lock shared by every worker process through Redis (SET NX PX, released only by its holder). It expires after
 * `ttlMs` so a crashed holder does not block the others; a write that takes longer than that could overlap with
 * the next holder's, so `ttlMs` is far above a fold's duration.
 */
export function redisLock(redis: Redis, key: string, ttlMs = 60_000, pollMs = 20): WriteLock {
  return async (fn) => {
    const token = randomUUID();
    while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') await sleep(pollMs);
    try {
      return await fn();
    } finally {
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  };
}
