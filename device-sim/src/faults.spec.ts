import { decodeMessage, type DecodedMessage } from '@dwg/contracts';
import { createDeviceModel } from './devices';
import { CLOCK_SKEW_MS, DeviceEmitter, DistinctTracker, normalizeFaults, parseFaults } from './faults';
import { dryRun, type FleetOptions } from './fleet';
import { buildWorld } from './world';

const NOW = Date.UTC(2026, 10, 27, 8, 0, 0);
const clock = () => NOW;
const fleet = (vehicles: number, badges: number) => [
  ...Array.from({ length: vehicles }, (_, i) => ({ deviceId: `veh-${i}`, kind: 'gps' as const })),
  ...Array.from({ length: badges }, (_, i) => ({ deviceId: `bdg-${i}`, kind: 'badge' as const })),
];
const decode = (m: { topic: string; payload: string }, receivedAt = NOW): DecodedMessage =>
  decodeMessage(m.topic, Buffer.from(m.payload, 'utf8'), {
    receivedAt: new Date(receivedAt),
    lateAfterMs: 60_000,
  });

describe('fault rates', () => {
  it('parse from the CLI form and refuse unknown faults or rates outside 0..1', () => {
    expect(parseFaults('duplicate=0.02,outOfOrder=0.02,offline=0.01,malformed=0.01,clockSkew=0.005')).toEqual(
      {
        duplicate: 0.02,
        outOfOrder: 0.02,
        offline: 0.01,
        malformed: 0.01,
        clockSkew: 0.005,
      },
    );
    expect(parseFaults('')).toEqual(normalizeFaults({}));
    expect(() => parseFaults('dupes=0.1')).toThrow(/unknown fault "dupes"/);
    expect(() => parseFaults('duplicate=1.5')).toThrow(/from 0 to 1/);
    expect(() => parseFaults('duplicate')).toThrow(/name=rate/);
  });
});

describe('a run without faults', () => {
  const run = dryRun({ devices: fleet(5, 5), recordsPerDevice: 60, clock, seed: 3 });

  it('publishes one valid message per record, all accepted, ending at the clock', () => {
    expect(run.messages).toHaveLength(600);
    expect(run.counts).toEqual({
      valid: 600,
      duplicatesInjected: 0,
      malformed: 0,
      skewed: 0,
      outOfOrder: 0,
      offlineBatches: 0,
    });
    expect(run.expectedStored).toBe(600);
    expect(run.expectedRejected).toBe(0);
    const points = run.messages.flatMap((m) => {
      const d = decode(m);
      expect(d.rejections).toEqual([]);
      return d.points;
    });
    expect(points).toHaveLength(600);
    const last = Math.max(...points.map((p) => p.ts.getTime()));
    expect(last).toBeLessThanOrEqual(NOW);
    expect(NOW - last).toBeLessThan(30_000); // "ending near now": within one badge interval
  });
});

describe('a run with faults', () => {
  const opts: FleetOptions = {
    devices: fleet(30, 30),
    recordsPerDevice: 300,
    clock,
    seed: 11,
    faults: { duplicate: 0.05, outOfOrder: 0.05, offline: 0.01, malformed: 0.03, clockSkew: 0.02 },
  };
  const run = dryRun(opts);
  const decoded = run.messages.map((m) => ({ m, d: decode(m) }));
  const rejections = decoded.flatMap(({ d }) => d.rejections);

  it('injects every kind of fault', () => {
    const c = run.counts;
    for (const k of ['duplicatesInjected', 'malformed', 'skewed', 'outOfOrder', 'offlineBatches'] as const)
      expect(c[k]).toBeGreaterThan(5);
    // Each record is valid, malformed or skewed; copies come on top.
    expect(c.valid - c.duplicatesInjected + c.malformed + c.skewed).toBe(60 * 300);
  });

  it('is rejected by the validator exactly as often as it reports malformed and skewed records', () => {
    expect(rejections).toHaveLength(run.expectedRejected);
    expect(run.expectedRejected).toBe(run.counts.malformed + run.counts.skewed);
    const skew = rejections.filter(
      (r) => r.reason === `ts is ${CLOCK_SKEW_MS / 1000} s in the future (limit 300 s)`,
    );
    expect(skew).toHaveLength(run.counts.skewed);
    const malformedReasons = rejections
      .filter((r) => !skew.includes(r))
      .map((r) => r.reason.replace(/^payload is not valid JSON: .*/, 'bad JSON'));
    expect(malformedReasons).toHaveLength(run.counts.malformed);
    expect(new Set(malformedReasons)).toEqual(
      new Set([
        'lat must be a number from -90 to 90',
        'spd must be a number from 0 to 300 (km/h)',
        'bat must be a number from 0 to 100 (percent)',
        'bad JSON',
        'record is not a JSON object', // a lost slot inside an offline upload
      ]),
    );
  });

  it('reports as expectedStored exactly the distinct valid records the validator lets through', () => {
    const stored = new Set(
      decoded.flatMap(({ d }) => d.points.map((p) => `${p.deviceId}:${p.seq}:${p.ts.getTime()}`)),
    );
    expect(stored.size).toBe(run.expectedStored);
    expect(run.expectedStored).toBe(run.counts.valid - run.counts.duplicatesInjected);
    const transmitted = run.messages.reduce((n, m) => n + m.validKeys.length, 0);
    expect(transmitted - run.expectedStored).toBe(run.counts.duplicatesInjected);
  });

  it('uploads offline spells as arrays of at most 500 records, and counts them', () => {
    const arrays = run.messages.filter((m) => m.payload.startsWith('['));
    expect(arrays).toHaveLength(run.counts.offlineBatches);
    for (const m of arrays) {
      const n = (JSON.parse(m.payload) as unknown[]).length;
      expect(n).toBe(m.records);
      expect(n).toBeLessThanOrEqual(500);
    }
    expect(Math.max(...arrays.map((m) => m.records))).toBeGreaterThan(5);
  });

  it('delivers exactly the reported number of records after a later one', () => {
    const maxTs = new Map<string, number>();
    const seen = new Set<string>();
    let late = 0;
    for (const { d } of decoded) {
      for (const p of d.points) {
        const key = `${p.deviceId}:${p.seq}:${p.ts.getTime()}`;
        if (seen.has(key)) continue; // a duplicate copy, not a reorder
        seen.add(key);
        const ts = p.ts.getTime();
        if (ts < (maxTs.get(p.deviceId) ?? -Infinity)) late++;
        maxTs.set(p.deviceId, Math.max(ts, maxTs.get(p.deviceId) ?? -Infinity));
      }
    }
    expect(late).toBe(run.counts.outOfOrder);
  });

  it('keeps each badge clock-in first and clock-out last', () => {
    const byDevice = new Map<string, string[]>();
    for (const { d } of decoded)
      for (const p of d.points)
        if (p.kind === 'badge')
          byDevice.set(p.deviceId, [...(byDevice.get(p.deviceId) ?? []), p.evt as string]);
    expect(byDevice.size).toBe(30);
    for (const evts of byDevice.values()) {
      expect(evts[0]).toBe('in');
      expect(evts[evts.length - 1]).toBe('out');
      expect(evts.filter((e) => e === 'in' || e === 'out')).toHaveLength(2);
    }
  });

  it('is reproducible, and leaves the tracks as they are without faults', () => {
    const again = dryRun(opts).messages;
    expect(again).toHaveLength(run.messages.length);
    expect(
      again.findIndex((m, i) => m.payload !== run.messages[i].payload || m.topic !== run.messages[i].topic),
    ).toBe(-1);
    const clean = dryRun({ ...opts, faults: {} });
    const cleanByKey = new Map(clean.messages.map((m) => [`${m.deviceId}:${m.validKeys[0]}`, m.payload]));
    for (const m of run.messages.filter((x) => !x.payload.startsWith('[') && x.validKeys.length === 1))
      expect(m.payload).toBe(cleanByKey.get(`${m.deviceId}:${m.validKeys[0]}`));
  });
});

describe('a long run', () => {
  it('stays exact far past the distinct-key window (offline spells of hundreds of records, duplicates)', () => {
    const run = dryRun({
      devices: [{ deviceId: 'veh-long', kind: 'gps' }],
      recordsPerDevice: 6000,
      gpsIntervalMs: 1000, // spells of 60-600 s become 60-500 records
      clock,
      seed: 2,
      faults: { duplicate: 0.1, offline: 0.01, outOfOrder: 0.05 },
    });
    const stored = new Set(
      run.messages.flatMap((m) => decode(m).points.map((p) => `${p.seq}:${p.ts.getTime()}`)),
    );
    expect(Math.max(...run.messages.map((m) => m.records))).toBeGreaterThan(300);
    expect(run.counts.duplicatesInjected).toBeGreaterThan(300);
    expect(run.expectedStored).toBe(stored.size);
    expect(run.expectedStored).toBe(6000);
  });
});

describe('DeviceEmitter', () => {
  const world = buildWorld({ seed: 1 });

  it('stamps a skewed record relative to the clock when it is published, not when it was generated', () => {
    let now = NOW;
    const model = createDeviceModel(world, { deviceId: 'veh-skew', kind: 'gps' }, 0, {
      seed: 1,
      startTs: NOW - 3600_000,
      intervalMs: 5000,
    });
    const e = new DeviceEmitter(model, { seed: 1, faults: { clockSkew: 1 }, clock: () => now });
    expect(JSON.parse(e.tick()[0].payload).ts).toBe(NOW - 3600_000); // the first record is exempt
    now += 12_345;
    const [m] = e.tick();
    expect(m.counts.skewed).toBe(1);
    expect(JSON.parse(m.payload).ts).toBe(now + CLOCK_SKEW_MS);
    expect(decode(m, now + 2000).rejections.map((r) => r.reason)).toEqual([
      'ts is 598 s in the future (limit 300 s)',
    ]);
  });

  it('stays silent while offline and uploads the spell in one array', () => {
    const model = createDeviceModel(world, { deviceId: 'bdg-off', kind: 'badge' }, 0, {
      seed: 1,
      startTs: NOW - 3600_000,
      intervalMs: 30_000,
    });
    const e = new DeviceEmitter(model, { seed: 1, faults: { offline: 1 }, clock });
    expect(e.tick()).toHaveLength(1); // clock-in goes out before any spell
    const silent: number[] = [];
    let upload;
    for (let i = 0; i < 50 && !upload; i++) {
      const out = e.tick();
      if (out.length === 0) silent.push(i);
      else upload = out[0];
    }
    expect(upload).toBeDefined();
    expect(upload!.counts.offlineBatches).toBe(1);
    expect(upload!.records).toBe(silent.length + 1);
    expect(silent.length).toBeGreaterThanOrEqual(1);
  });

  it('publishes held, scheduled and stored records on finish, and nothing after', () => {
    const model = createDeviceModel(world, { deviceId: 'veh-fin', kind: 'gps' }, 0, {
      seed: 1,
      startTs: NOW - 3600_000,
      intervalMs: 5000,
    });
    const e = new DeviceEmitter(model, {
      seed: 5,
      faults: { offline: 0.2, duplicate: 0.3, outOfOrder: 0.3 },
      clock,
    });
    const keys: string[] = [];
    for (let i = 0; i < 40; i++) for (const m of e.tick()) keys.push(...m.validKeys);
    for (const m of e.finish()) keys.push(...m.validKeys);
    expect(new Set(keys).size).toBe(40);
    expect(e.finish()).toEqual([]);
    expect(() => e.tick()).toThrow(/after finish/);
  });
});

describe('DistinctTracker', () => {
  it('counts distinct keys per device exactly while keeping a bounded window', () => {
    const t = new DistinctTracker(8);
    expect(t.add('a', ['1:1', '2:2', '1:1'])).toBe(2);
    expect(t.add('b', ['1:1'])).toBe(1);
    for (let i = 3; i < 40; i++) t.add('a', [`${i}:${i}`]);
    expect(t.count).toBe(40);
    expect(t.add('a', ['39:39', '38:38'])).toBe(0); // recent copies are recognised
  });
});
