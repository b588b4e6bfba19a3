#!/usr/bin/env node
// Regenerates device-sim/fixtures/{good,bad}/*.json. Payloads are written as terminals send them; the expected
// reasons are copied by hand from services/libs/contracts/src/decode.ts (not computed by running it), so that
// src/fixtures.spec.ts checks the validator against the protocol rather than against itself.
// Usage: node device-sim/scripts/make-fixtures.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const receivedAt = '2026-11-27T08:00:00.000Z';
const T = Date.parse(receivedAt);

const gps = (over = {}) => ({
  seq: 18231,
  ts: T - 1200,
  lat: 23.161824,
  lng: 113.268407,
  spd: 9.4,
  hdg: 87,
  acc: 5,
  ign: true,
  ops: { sweep: true, spray: true },
  ...over,
});
const badge = (over = {}) => ({
  seq: 5120,
  ts: T - 800,
  lat: 23.158312,
  lng: 113.272951,
  acc: 12,
  bat: 76,
  evt: 'hb',
  ...over,
});
const json = (v) => JSON.stringify(v);
const VEH = 'gz-veh-0042';
const BDG = 'gz-bdg-0107';
const topic = (id, ch) => `dwg/v1/${id}/${ch}`;

/** A sweeper's track along a street, 5 s apart, ending `endAgoMs` before receipt. */
const track = (n, endAgoMs, seq0 = 1000) =>
  Array.from({ length: n }, (_, i) =>
    gps({
      seq: seq0 + i,
      ts: T - endAgoMs - (n - 1 - i) * 5000,
      lat: +(23.1585 + i * 0.000012).toFixed(6),
      lng: +(113.2655 + i * 0.000021).toFixed(6),
      spd: +(8 + (i % 5)).toFixed(1),
      hdg: 60,
      acc: 4 + (i % 4),
    }),
  );

const R = {
  lat: 'lat must be a number from -90 to 90',
  lng: 'lng must be a number from -180 to 180',
  seq: 'seq must be an integer from 0 to 4294967295',
  tsInt: 'ts must be an integer (epoch milliseconds, UTC)',
  spd: 'spd must be a number from 0 to 300 (km/h)',
  hdg: 'hdg must be a number from 0 to 359 (degrees)',
  notObject: 'record is not a JSON object',
  badTopic: (t) => `topic "${t}" is not dwg/v1/{deviceId}/{gps|badge|status}`,
};

const good = {
  'gps-sweeping': [
    'a sweeper on its beat with every field',
    topic(VEH, 'gps'),
    json(gps()),
    { stored: 1, rejected: [] },
  ],
  'gps-minimal': [
    'only the required fields (no acc, ign, ops)',
    topic(VEH, 'gps'),
    json({ seq: 18232, ts: T - 700, lat: 23.161901, lng: 113.268551, spd: 31.5, hdg: 91 }),
    { stored: 1, rejected: [] },
  ],
  'gps-parked-ignition-off': [
    'parked with the ignition off and all equipment off',
    topic(VEH, 'gps'),
    json(gps({ spd: 0, ign: false, ops: { sweep: false, spray: false, lift: false } })),
    { stored: 1, rejected: [] },
  ],
  'gps-extra-fields': [
    'fields outside the protocol (satellites, altitude) are ignored',
    topic(VEH, 'gps'),
    json({ ...gps(), sat: 11, alt: 14.2 }),
    { stored: 1, rejected: [] },
  ],
  'gps-pretty-printed': [
    'whitespace and newlines in the JSON, as one terminal firmware sends it',
    topic(VEH, 'gps'),
    JSON.stringify(gps(), null, 2),
    { stored: 1, rejected: [] },
  ],
  'gps-offline-upload': [
    'upload of 120 stored records from 20 to 10 minutes before receipt (late, still stored)',
    topic(VEH, 'gps'),
    json(track(120, 10 * 60_000)),
    { stored: 120, rejected: [] },
  ],
  'gps-upload-repeated-record': [
    'an upload that repeats one record: stored once',
    topic(VEH, 'gps'),
    json(
      (() => {
        const t = track(6, 60_000, 2000);
        return [...t.slice(0, 4), t[3], ...t.slice(4)];
      })(),
    ),
    { stored: 6, rejected: [] },
  ],
  'gps-seq-wrap': [
    'the sequence counter wraps from 2^32-1 to 0',
    topic(VEH, 'gps'),
    json([gps({ seq: 4294967295, ts: T - 6200 }), gps({ seq: 0, ts: T - 1200 })]),
    { stored: 2, rejected: [] },
  ],
  'gps-clock-ahead-within-limit': [
    'a device clock 4 minutes fast is tolerated (limit 5)',
    topic(VEH, 'gps'),
    json(gps({ ts: T + 4 * 60_000 })),
    { stored: 1, rejected: [] },
  ],
  'badge-clock-in': [
    'clock-in at shift start',
    topic(BDG, 'badge'),
    json(badge({ evt: 'in', bat: 98 })),
    { stored: 1, rejected: [] },
  ],
  'badge-heartbeat-default-event': [
    'a heartbeat without evt or bat (evt defaults to hb)',
    topic(BDG, 'badge'),
    json({ seq: 5121, ts: T - 500, lat: 23.158401, lng: 113.272874 }),
    { stored: 1, rejected: [] },
  ],
  'badge-clock-out': [
    'clock-out at shift end',
    topic(BDG, 'badge'),
    json(badge({ evt: 'out', bat: 61 })),
    { stored: 1, rejected: [] },
  ],
  'badge-sos': [
    'SOS button pressed',
    topic(BDG, 'badge'),
    json(badge({ evt: 'sos', acc: 8 })),
    { stored: 1, rejected: [] },
  ],
  'badge-offline-upload': [
    'a badge uploads 40 heartbeats stored in a basement without coverage',
    topic(BDG, 'badge'),
    json(
      Array.from({ length: 40 }, (_, i) =>
        badge({ seq: 6000 + i, ts: T - 90_000 - (39 - i) * 30_000, bat: 70 - Math.floor(i / 10) }),
      ),
    ),
    { stored: 40, rejected: [] },
  ],
  'status-online': [
    'announcement on connect',
    topic(VEH, 'status'),
    'online',
    { stored: 0, rejected: [], status: 'online' },
  ],
  'status-offline-will': [
    'will message published by the broker',
    topic(BDG, 'status'),
    'offline',
    { stored: 0, rejected: [], status: 'offline' },
  ],
  'status-json-object': [
    'status as a JSON object',
    topic(VEH, 'status'),
    '{"status":"online"}',
    { stored: 0, rejected: [], status: 'online' },
  ],
  'status-json-string': [
    'status as a JSON string',
    topic(VEH, 'status'),
    '"offline"',
    { stored: 0, rejected: [], status: 'offline' },
  ],
};

const bad = {
  'gps-lat-out-of-range': [
    'latitude 91.2',
    topic(VEH, 'gps'),
    json(gps({ lat: 91.2 })),
    { stored: 0, rejected: [R.lat] },
  ],
  'gps-swapped-axes': [
    'lat and lng swapped by the firmware',
    topic(VEH, 'gps'),
    json(gps({ lat: 113.268407, lng: 23.161824 })),
    { stored: 0, rejected: [R.lat] },
  ],
  'gps-lng-out-of-range': [
    'longitude 181',
    topic(VEH, 'gps'),
    json(gps({ lng: 181 })),
    { stored: 0, rejected: [R.lng] },
  ],
  'gps-lat-string': [
    'latitude sent as a string',
    topic(VEH, 'gps'),
    json(gps({ lat: '23.161824' })),
    { stored: 0, rejected: [R.lat] },
  ],
  'gps-no-fix': [
    '0,0 before the receiver has a fix',
    topic(VEH, 'gps'),
    json(gps({ lat: 0, lng: 0, spd: 0 })),
    { stored: 0, rejected: ['coordinates 0,0: the receiver has no fix'] },
  ],
  'gps-clock-skew': [
    'device clock 10 minutes fast',
    topic(VEH, 'gps'),
    json(gps({ ts: T + 10 * 60_000 })),
    { stored: 0, rejected: ['ts is 600 s in the future (limit 300 s)'] },
  ],
  'gps-ts-in-seconds': [
    'epoch seconds instead of milliseconds',
    topic(VEH, 'gps'),
    json(gps({ ts: Math.floor(T / 1000) - 1 })),
    {
      stored: 0,
      rejected: [`ts ${Math.floor(T / 1000) - 1} is before 2015-01-01: the device clock is not set`],
    },
  ],
  'gps-ts-fraction': [
    'fractional milliseconds',
    topic(VEH, 'gps'),
    json(gps({ ts: T - 1200.5 })),
    { stored: 0, rejected: [R.tsInt] },
  ],
  'gps-ts-iso-string': [
    'ts as an ISO string',
    topic(VEH, 'gps'),
    json(gps({ ts: new Date(T - 1200).toISOString() })),
    { stored: 0, rejected: [R.tsInt] },
  ],
  'gps-seq-negative': [
    'negative sequence number (signed counter overflow)',
    topic(VEH, 'gps'),
    json(gps({ seq: -2147483648 })),
    { stored: 0, rejected: [R.seq] },
  ],
  'gps-seq-string': [
    'sequence number as a string',
    topic(VEH, 'gps'),
    json(gps({ seq: '18231' })),
    { stored: 0, rejected: [R.seq] },
  ],
  'gps-seq-too-large': [
    'sequence number past 2^32-1',
    topic(VEH, 'gps'),
    json(gps({ seq: 4294967296 })),
    { stored: 0, rejected: [R.seq] },
  ],
  'gps-speed-missing': [
    'no spd',
    topic(VEH, 'gps'),
    json(gps({ spd: undefined })),
    { stored: 0, rejected: [R.spd] },
  ],
  'gps-speed-string': [
    'spd as a string',
    topic(VEH, 'gps'),
    json(gps({ spd: '9.4' })),
    { stored: 0, rejected: [R.spd] },
  ],
  'gps-heading-360': [
    'heading 360 instead of 0',
    topic(VEH, 'gps'),
    json(gps({ hdg: 360 })),
    { stored: 0, rejected: [R.hdg] },
  ],
  'gps-ignition-number': [
    'ign as 1',
    topic(VEH, 'gps'),
    json(gps({ ign: 1 })),
    { stored: 0, rejected: ['ign must be a boolean'] },
  ],
  'gps-ops-list': [
    'ops as a list of names',
    topic(VEH, 'gps'),
    json(gps({ ops: ['sweep'] })),
    { stored: 0, rejected: ['ops must be an object of booleans (sweep, spray, lift)'] },
  ],
  'gps-ops-value-string': [
    'ops.sweep as "on"',
    topic(VEH, 'gps'),
    json(gps({ ops: { sweep: 'on' } })),
    { stored: 0, rejected: ['ops.sweep must be a boolean'] },
  ],
  'gps-negative-accuracy': [
    'acc -1 (unknown) instead of leaving it out',
    topic(VEH, 'gps'),
    json(gps({ acc: -1 })),
    { stored: 0, rejected: ['acc must be a non-negative number (metres)'] },
  ],
  'gps-truncated-json': [
    'transmission cut off mid-record',
    topic(VEH, 'gps'),
    json(gps()).slice(0, 57),
    { stored: 0, rejected: ['payload is not valid JSON: *'] },
  ],
  'gps-empty-array': [
    'an upload with nothing in it',
    topic(VEH, 'gps'),
    '[]',
    { stored: 0, rejected: ['payload is an empty array'] },
  ],
  'gps-too-many-records': [
    'an upload of 501 records (limit 500)',
    topic(VEH, 'gps'),
    json(track(501, 60_000, 3000)),
    { stored: 0, rejected: ['payload holds 501 records; the limit is 500'] },
  ],
  'gps-upload-with-bad-records': [
    'an upload with one impossible record and one lost slot: the other three are stored',
    topic(VEH, 'gps'),
    json(
      (() => {
        const t = track(5, 30_000, 4000);
        t[1] = { ...t[1], lat: 91 };
        t[3] = null;
        return t;
      })(),
    ),
    { stored: 3, rejected: [R.lat, R.notObject] },
  ],
  'gps-not-an-object': ['a bare number', topic(VEH, 'gps'), '42', { stored: 0, rejected: [R.notObject] }],
  'badge-battery-over-100': [
    'battery 101 % while charging',
    topic(BDG, 'badge'),
    json(badge({ bat: 101 })),
    { stored: 0, rejected: ['bat must be a number from 0 to 100 (percent)'] },
  ],
  'badge-unknown-event': [
    'evt "panic" instead of "sos"',
    topic(BDG, 'badge'),
    json(badge({ evt: 'panic' })),
    { stored: 0, rejected: ['evt must be one of hb, in, out, sos'] },
  ],
  'badge-on-gps-topic': [
    'a badge record published on the gps channel',
    topic(BDG, 'gps'),
    json(badge()),
    { stored: 0, rejected: [R.spd] },
  ],
  'topic-unknown-channel': [
    'a channel the protocol does not have',
    topic(VEH, 'temp'),
    json({ seq: 1, ts: T - 1000, temp: 31.5 }),
    { stored: 0, rejected: [R.badTopic(topic(VEH, 'temp'))] },
  ],
  'topic-protocol-v2': [
    'a future protocol version',
    `dwg/v2/${VEH}/gps`,
    json(gps()),
    { stored: 0, rejected: [R.badTopic(`dwg/v2/${VEH}/gps`)] },
  ],
  'status-unknown': [
    'a status the protocol does not have',
    topic(VEH, 'status'),
    'sleeping',
    { stored: 0, rejected: ['status payload must be "online" or "offline"'] },
  ],
};

for (const [group, set] of [
  ['good', good],
  ['bad', bad],
]) {
  rmSync(join(root, group), { recursive: true, force: true });
  mkdirSync(join(root, group), { recursive: true });
  for (const [name, [description, t, payload, expect]] of Object.entries(set)) {
    const body = { description, topic: t, payload, receivedAt, expect };
    const file = join(root, group, `${name}.json`);
    // Formatted as the repository's prettier check expects.
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    writeFileSync(file, await prettier.format(JSON.stringify(body, null, 2), options));
  }
  console.log(`${group}: ${Object.keys(set).length} fixtures`);
}
