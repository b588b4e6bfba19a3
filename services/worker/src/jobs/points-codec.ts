import type { TelemetryBatchStored, TelemetryPoint } from '@dwg/contracts';
import type { EvidencePoint } from '../evidence';

/**
 * Proposed extension of TelemetryBatchStored (to move to @dwg/contracts with the ingest change): the batch's
 * newly stored records, compact, so the worker need not read them back. On FerretDB every find scans the whole
 * telemetry collection (no index pushdown measured on v1.24/SQLite), which no worker can keep up with; the job
 * lives in Redis with AOF fsync, as durable as ingest's journal. ~60 bytes a record: 60 kB for 1000.
 *
 * [deviceId, ts, lng, lat, spd (km/h, -1 = absent), ops bits (1 sweep, 2 spray, 4 lift), evt (0 none, 1 hb,
 *  2 in, 3 out, 4 sos), acc (m, -1 = absent)]
 */
export type CompactPoint = [string, number, number, number, number, number, number, number];

export interface TelemetryBatchStoredWithPoints extends TelemetryBatchStored {
  points?: CompactPoint[];
  /** Receipt times of the batch's journal entries (ISO), for a read-back that selects just this batch. */
  receivedFrom?: string;
  receivedTo?: string;
}

const EVTS = [undefined, 'hb', 'in', 'out', 'sos'] as const;

export function encodePoints(points: readonly TelemetryPoint[]): CompactPoint[] {
  return points.map((p) => [
    p.deviceId,
    p.ts.getTime(),
    p.loc.coordinates[0],
    p.loc.coordinates[1],
    p.spd ?? -1,
    (p.ops?.sweep ? 1 : 0) | (p.ops?.spray ? 2 : 0) | (p.ops?.lift ? 4 : 0),
    p.evt ? EVTS.indexOf(p.evt) : 0,
    p.acc ?? -1,
  ]);
}

export function decodePoints(points: readonly CompactPoint[]): EvidencePoint[] {
  return points.map(([deviceId, ts, lng, lat, spd, ops, evt, acc]) => {
    const p: EvidencePoint = { deviceId, ts, lng, lat };
    if (spd >= 0) p.spd = spd;
    if (acc >= 0) p.acc = acc;
    if (ops) p.ops = { sweep: (ops & 1) !== 0, spray: (ops & 2) !== 0, lift: (ops & 4) !== 0 };
    if (evt) p.evt = EVTS[evt];
    return p;
  });
}
