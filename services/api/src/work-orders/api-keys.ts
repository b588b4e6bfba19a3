import { createHash } from 'node:crypto';

/** Open311 api keys are stored as their SHA-256 only (high-entropy random keys need no slow hash). */
export function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}
