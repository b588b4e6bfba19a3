import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface FixtureExpectation {
  /** Records decodeMessage returns as points (what the platform stores). */
  stored: number;
  /** Rejection reasons in order; a reason ending in `*` matches by prefix (JSON.parse messages vary by Node version). */
  rejected: string[];
  /** For status messages: the status read. */
  status?: 'online' | 'offline';
}

export interface Fixture {
  /** `good/<file>` or `bad/<file>` without `.json`. */
  name: string;
  group: 'good' | 'bad';
  description: string;
  topic: string;
  /** Exactly the bytes the device sent (UTF-8). */
  payload: string;
  /** When the platform received it: timestamps in the payload are relative to this. */
  receivedAt: string;
  expect: FixtureExpectation;
}

/** device-sim/fixtures: the same relative path from src (tests) and from dist (the built library). */
export const FIXTURES_DIR = resolve(__dirname, '..', 'fixtures');

const MIN_TS = Date.UTC(2015, 0, 1);

export interface LoadFixturesOptions {
  dir?: string;
  /**
   * Shifts every plausible `"ts"` in the payloads (integer epoch ms after 2015) and receivedAt so that receivedAt
   * becomes this time: for feeding fixtures to a running platform, whose clock is now. Deliberately broken
   * timestamps (seconds, fractions, strings) stay as they are.
   */
  rebaseTo?: Date;
}

export function loadFixtures(opts: LoadFixturesOptions = {}): Fixture[] {
  const dir = opts.dir ?? FIXTURES_DIR;
  const out: Fixture[] = [];
  for (const group of ['good', 'bad'] as const) {
    for (const file of readdirSync(join(dir, group))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const raw = JSON.parse(readFileSync(join(dir, group, file), 'utf8')) as Omit<Fixture, 'name' | 'group'>;
      const fixture: Fixture = { ...raw, name: `${group}/${file.slice(0, -'.json'.length)}`, group };
      out.push(opts.rebaseTo ? rebase(fixture, opts.rebaseTo) : fixture);
    }
  }
  return out;
}

function rebase(f: Fixture, to: Date): Fixture {
  const delta = to.getTime() - Date.parse(f.receivedAt);
  const payload = f.payload.replace(
    /("ts"\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (whole, key: string, num: string) => {
      const n = Number(num);
      return Number.isInteger(n) && n >= MIN_TS ? `${key}${n + delta}` : whole;
    },
  );
  return { ...f, payload, receivedAt: to.toISOString() };
}

/** Compares a reason from decodeMessage with a fixture's expected reason (exact, or prefix when it ends in `*`). */
export function reasonMatches(expected: string, actual: string): boolean {
  return expected.endsWith('*') ? actual.startsWith(expected.slice(0, -1)) : actual === expected;
}
