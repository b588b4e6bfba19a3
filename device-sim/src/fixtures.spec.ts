import { decodeMessage } from '@dwg/contracts';
import { loadFixtures, reasonMatches, type Fixture } from './fixtures';

const run = (f: Fixture) =>
  decodeMessage(f.topic, Buffer.from(f.payload, 'utf8'), {
    receivedAt: new Date(f.receivedAt),
    lateAfterMs: 60_000,
  });

function check(f: Fixture): void {
  const d = run(f);
  expect(d.points).toHaveLength(f.expect.stored);
  const reasons = d.rejections.map((r) => r.reason);
  expect(reasons).toHaveLength(f.expect.rejected.length);
  f.expect.rejected.forEach((want, i) => {
    if (!reasonMatches(want, reasons[i])) expect(reasons[i]).toBe(want); // fails with a readable diff
  });
  if (f.expect.status) expect(d.status).toBe(f.expect.status);
}

const fixtures = loadFixtures();

describe('device message fixtures', () => {
  it('cover good and bad messages', () => {
    expect(fixtures.filter((f) => f.group === 'good').length).toBeGreaterThanOrEqual(15);
    expect(fixtures.filter((f) => f.group === 'bad').length).toBeGreaterThanOrEqual(25);
    for (const f of fixtures) {
      if (f.group === 'good') expect(f.expect.rejected).toEqual([]);
      else expect(f.expect.rejected.length).toBeGreaterThan(0);
    }
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s decodes as expected', (_name, f) => check(f));

  it('decode the same way when rebased to another receive time (for feeding a live platform)', () => {
    const to = new Date(Date.UTC(2027, 2, 1, 12, 0, 0));
    const rebased = loadFixtures({ rebaseTo: to });
    expect(rebased.map((f) => f.name)).toEqual(fixtures.map((f) => f.name));
    for (const f of rebased) {
      expect(f.receivedAt).toBe(to.toISOString());
      check(f);
    }
    const sweeping = rebased.find((f) => f.name === 'good/gps-sweeping') as Fixture;
    expect(JSON.parse(sweeping.payload).ts).toBe(to.getTime() - 1200);
    // Deliberately broken timestamps are not "repaired" by the shift.
    expect(rebased.find((f) => f.name === 'bad/gps-ts-in-seconds')?.payload).toBe(
      fixtures.find((f) => f.name === 'bad/gps-ts-in-seconds')?.payload,
    );
  });

  it('match reasons exactly unless the expectation ends in *', () => {
    expect(reasonMatches('payload is not valid JSON: *', 'payload is not valid JSON: Unexpected end')).toBe(
      true,
    );
    expect(reasonMatches('lat must be a number from -90 to 90', 'lat must be a number from -90 to 90!')).toBe(
      false,
    );
  });
});
