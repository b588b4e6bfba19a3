import { decodeMessage, type DecodeOptions } from './decode';

const now = new Date('2026-11-27T08:00:00Z');
const opts: DecodeOptions = { receivedAt: now, lateAfterMs: 60_000 };
const gps = (over: Record<string, unknown> = {}) => ({
  seq: 1,
  ts: now.getTime() - 1000,
  lat: 23.16,
  lng: 113.27,
  spd: 12.5,
  hdg: 90,
  ign: true,
  ops: { sweep: true },
  ...over,
});
const badge = (over: Record<string, unknown> = {}) => ({
  seq: 1,
  ts: now.getTime(),
  lat: 23.16,
  lng: 113.27,
  bat: 80,
  ...over,
});
const msg = (body: unknown) => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));

describe('decodeMessage (device protocol v1)', () => {
  it('stores a GPS record as a GeoJSON point [lng, lat] with its fields', () => {
    const d = decodeMessage('dwg/v1/veh-001/gps', msg(gps()), opts);
    expect(d.rejections).toEqual([]);
    expect(d.points).toHaveLength(1);
    expect(d.points[0]).toMatchObject({
      deviceId: 'veh-001',
      kind: 'gps',
      seq: 1,
      loc: { type: 'Point', coordinates: [113.27, 23.16] },
      spd: 12.5,
      hdg: 90,
      ign: true,
      ops: { sweep: true },
      late: false,
    });
    expect(d.points[0].ts.getTime()).toBe(now.getTime() - 1000);
  });

  it('defaults a badge event to heartbeat and keeps clock-in, clock-out and SOS', () => {
    const d = decodeMessage(
      'dwg/v1/bdg-001/badge',
      msg([badge(), badge({ seq: 2, evt: 'in' }), badge({ seq: 3, evt: 'sos' })]),
      opts,
    );
    expect(d.points.map((p) => p.evt)).toEqual(['hb', 'in', 'sos']);
    expect(d.points[0].bat).toBe(80);
  });

  it('accepts an array upload and rejects only its bad records, with index and reason', () => {
    const d = decodeMessage(
      'dwg/v1/veh-001/gps',
      msg([gps({ seq: 1 }), gps({ seq: 2, lat: 91 }), gps({ seq: 3 })]),
      opts,
    );
    expect(d.points.map((p) => p.seq)).toEqual([1, 3]);
    expect(d.rejections).toEqual([
      { reason: 'lat must be a number from -90 to 90', index: 1, record: gps({ seq: 2, lat: 91 }) },
    ]);
  });

  it.each([
    ['lng out of range', { lng: 181 }, 'lng must be a number from -180 to 180'],
    ['lat as a string', { lat: '23.1' }, 'lat must be a number from -90 to 90'],
    ['no fix', { lat: 0, lng: 0 }, 'coordinates 0,0: the receiver has no fix'],
    ['ts in the future', { ts: now.getTime() + 6 * 60_000 }, 'ts is 360 s in the future (limit 300 s)'],
    ['ts not an integer', { ts: 1.5 }, 'ts must be an integer (epoch milliseconds, UTC)'],
    ['ts before 2015', { ts: 1000 }, 'ts 1000 is before 2015-01-01: the device clock is not set'],
    ['negative seq', { seq: -1 }, 'seq must be an integer from 0 to 4294967295'],
    ['seq not an integer', { seq: '7' }, 'seq must be an integer from 0 to 4294967295'],
    ['speed missing', { spd: undefined }, 'spd must be a number from 0 to 300 (km/h)'],
    ['heading 360', { hdg: 360 }, 'hdg must be a number from 0 to 359 (degrees)'],
    ['ignition as a number', { ign: 1 }, 'ign must be a boolean'],
    ['ops as a list', { ops: ['sweep'] }, 'ops must be an object of booleans (sweep, spray, lift)'],
    ['ops value not boolean', { ops: { sweep: 'on' } }, 'ops.sweep must be a boolean'],
    ['negative accuracy', { acc: -3 }, 'acc must be a non-negative number (metres)'],
  ])('rejects a GPS record with %s', (_name, over, reason) => {
    const d = decodeMessage('dwg/v1/veh-001/gps', msg(gps(over)), opts);
    expect(d.points).toEqual([]);
    expect(d.rejections).toEqual([{ reason, index: null, record: expect.anything() }]);
  });

  it.each([
    ['battery over 100', { bat: 101 }, 'bat must be a number from 0 to 100 (percent)'],
    ['unknown event', { evt: 'panic' }, 'evt must be one of hb, in, out, sos'],
  ])('rejects a badge record with %s', (_name, over, reason) => {
    const d = decodeMessage('dwg/v1/bdg-001/badge', msg(badge(over)), opts);
    expect(d.rejections[0].reason).toBe(reason);
  });

  it('accepts a ts up to 5 minutes ahead (clock skew) but not beyond', () => {
    expect(
      decodeMessage('dwg/v1/veh-001/gps', msg(gps({ ts: now.getTime() + 299_000 })), opts).points,
    ).toHaveLength(1);
    expect(
      decodeMessage('dwg/v1/veh-001/gps', msg(gps({ ts: now.getTime() + 301_000 })), opts).points,
    ).toHaveLength(0);
  });

  it('marks records older than the current window late and still accepts them', () => {
    const d = decodeMessage(
      'dwg/v1/veh-001/gps',
      msg([gps({ seq: 1, ts: now.getTime() - 61_000 }), gps({ seq: 2 })]),
      opts,
    );
    expect(d.points.map((p) => p.late)).toEqual([true, false]);
  });

  it('keeps one copy of a record repeated inside one upload', () => {
    const d = decodeMessage('dwg/v1/veh-001/gps', msg([gps(), gps()]), opts);
    expect(d.points).toHaveLength(1);
  });

  it('stores the same seq with another ts as another record (seq may wrap)', () => {
    const d = decodeMessage(
      'dwg/v1/veh-001/gps',
      msg([gps({ seq: 1 }), gps({ seq: 1, ts: now.getTime() - 5000 })]),
      opts,
    );
    expect(d.points).toHaveLength(2);
  });

  it.each([
    ['not JSON', '{"seq":1,', /^payload is not valid JSON: /],
    ['an empty array', '[]', /^payload is an empty array$/],
    [
      'too many records',
      JSON.stringify(Array.from({ length: 501 }, (_, i) => gps({ seq: i }))),
      /^payload holds 501 records; the limit is 500$/,
    ],
    ['over 256 KiB', 'x'.repeat(256 * 1024 + 1), /^payload is 262145 bytes; the limit is 262144$/],
  ])('rejects the whole message when it is %s', (_name, body, reason) => {
    const d = decodeMessage('dwg/v1/veh-001/gps', Buffer.from(body), opts);
    expect(d.points).toEqual([]);
    expect(d.rejections).toHaveLength(1);
    expect(d.rejections[0].index).toBeNull();
    expect(d.rejections[0].reason).toMatch(reason);
  });

  it('rejects a record that is not an object', () => {
    const d = decodeMessage('dwg/v1/veh-001/gps', msg([gps(), 42]), opts);
    expect(d.rejections).toEqual([{ reason: 'record is not a JSON object', index: 1, record: 42 }]);
  });

  it.each([
    'dwg/v1/veh-001',
    'dwg/v2/veh-001/gps',
    'dwg/v1/veh-001/temp',
    'dwg/v1/a+b/gps',
    'other/v1/veh-001/gps',
  ])('rejects a message on topic %s', (topic) => {
    const d = decodeMessage(topic, msg(gps()), opts);
    expect(d.deviceId).toBeNull();
    expect(d.rejections[0].reason).toContain('is not dwg/v1/{deviceId}/{gps|badge|status}');
  });

  it.each([
    ['online', 'online'],
    ['offline', 'offline'],
    ['"offline"', 'offline'],
    ['{"status":"online"}', 'online'],
  ])('reads status payload %s', (body, status) => {
    expect(decodeMessage('dwg/v1/veh-001/status', Buffer.from(body), opts).status).toBe(status);
  });

  it('rejects an unknown status', () => {
    const d = decodeMessage('dwg/v1/veh-001/status', Buffer.from('sleeping'), opts);
    expect(d.status).toBeNull();
    expect(d.rejections[0].reason).toBe('status payload must be "online" or "offline"');
  });
});
