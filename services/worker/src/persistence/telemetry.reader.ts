import type { Db, Filter } from 'mongodb';
import type { TelemetryPoint } from '@dwg/contracts';
import { COLLECTIONS } from '@dwg/persistence';
import type { EvidencePoint } from '../evidence';
import { decodePoints, type TelemetryBatchStoredWithPoints } from '../jobs/points-codec';

/**
 * The records of one stored batch, for the evidence engine. Taken from the event when it carries them (the
 * proposed extension); otherwise read back by device and time range, narrowed by receipt time so that a late
 * upload spanning hours does not re-read those devices' whole hours. Reading a few records of a neighbouring batch
 * as well is harmless: evidence is idempotent.
 */
export class TelemetryReader {
  constructor(
    private readonly db: Db,
    private readonly receivedSkewMs: number,
  ) {}

  async forEvent(e: TelemetryBatchStoredWithPoints): Promise<EvidencePoint[]> {
    if (e.points) return decodePoints(e.points);
    if (!e.minTs || !e.maxTs || e.deviceIds.length === 0 || e.inserted === 0) return [];
    const filter: Filter<TelemetryPoint> = {
      deviceId: { $in: e.deviceIds },
      ts: { $gte: new Date(e.minTs), $lte: new Date(e.maxTs) },
    };
    const received = receivedWindow(e, this.receivedSkewMs);
    if (received) filter.receivedAt = { $gte: new Date(received[0]), $lte: new Date(received[1]) };
    const docs = await this.db
      .collection<TelemetryPoint>(COLLECTIONS.telemetry)
      .find(filter, {
        projection: { _id: 0, deviceId: 1, ts: 1, loc: 1, spd: 1, acc: 1, ops: 1, evt: 1, bat: 1 },
      })
      .toArray();
    return docs.map(toEvidencePoint);
  }
}

export function toEvidencePoint(
  d: Pick<TelemetryPoint, 'deviceId' | 'ts' | 'loc' | 'spd' | 'acc' | 'ops' | 'evt' | 'bat'>,
): EvidencePoint {
  const p: EvidencePoint = {
    deviceId: d.deviceId,
    ts: d.ts.getTime(),
    lng: d.loc.coordinates[0],
    lat: d.loc.coordinates[1],
  };
  if (d.spd !== undefined) p.spd = d.spd;
  if (d.acc !== undefined) p.acc = d.acc;
  if (d.ops) p.ops = d.ops;
  if (d.evt) p.evt = d.evt;
  if (d.bat !== undefined) p.bat = d.bat;
  return p;
}

/**
 * Receipt-time window of a batch: explicit when the event carries it, else from its id, which ingest builds from
 * the first and last Redis stream entry ids (`<ms>-<n>..<ms>-<n>`, the Redis clock at append, which is within
 * milliseconds of ingest's receivedAt on one host). Null when neither is known: then no receipt filter.
 */
export function receivedWindow(e: TelemetryBatchStoredWithPoints, skewMs: number): [number, number] | null {
  if (e.receivedFrom && e.receivedTo)
    return [Date.parse(e.receivedFrom) - skewMs, Date.parse(e.receivedTo) + skewMs];
  const m = /^(\d+)-\d+\.\.(\d+)-\d+$/.exec(e.batchId);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  // Claimed or pending entries may be older than the rest of a batch; ids are ordered within one read.
  return [Math.min(a, b) - skewMs, Math.max(a, b, Date.parse(e.storedAt) || 0) + skewMs];
}
