import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device secrets are stored as PBKDF2-SHA512 so that both brokers can check them without the plain secret:
 * Mosquitto reads the same hash in its `$7$` password-file format, EMQX's MongoDB authenticator reads the hex
 * hash and salt fields directly (algorithm pbkdf2, mac_fun sha512, dk_length 64).
 */
export const HASH_ITERATIONS = 1000;
const KEY_LEN = 64;

export interface SecretHash {
  secretHash: string; // hex
  secretSalt: string; // 12 ASCII chars (Mosquitto requires a 12-byte salt), used as raw bytes by both brokers
  iterations: number;
}

export function generateSecret(): string {
  return randomBytes(18).toString('base64url');
}

export function hashSecret(
  secret: string,
  salt = randomBytes(6).toString('hex'),
  iterations = HASH_ITERATIONS,
): SecretHash {
  const hash = pbkdf2Sync(secret, Buffer.from(salt, 'utf8'), iterations, KEY_LEN, 'sha512');
  return { secretHash: hash.toString('hex'), secretSalt: salt, iterations };
}

export function verifySecret(secret: string, h: SecretHash): boolean {
  const computed = Buffer.from(hashSecret(secret, h.secretSalt, h.iterations).secretHash, 'hex');
  const stored = Buffer.from(h.secretHash, 'hex');
  return computed.length === stored.length && timingSafeEqual(computed, stored);
}

/** One line of a Mosquitto 2 password file for this hash. */
export function mosquittoPasswordLine(username: string, h: SecretHash): string {
  const salt = Buffer.from(h.secretSalt, 'utf8').toString('base64');
  const hash = Buffer.from(h.secretHash, 'hex').toString('base64');
  return `${username}:$7$${h.iterations}$${salt}$${hash}`;
}
