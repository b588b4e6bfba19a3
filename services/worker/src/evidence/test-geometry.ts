import { along, destination, lineString } from '@turf/turf';
import type { EvidencePoint, LngLat } from './types';

/** Hand-computable test geometry around the district centre: lengths in metres, times in ms. */
export const ORIGIN: LngLat = [113.27, 23.16];

/** Point dx metres east and dy metres north of `from` (turf, geodesic). */
export function offset(from: LngLat, dx: number, dy: number): LngLat {
  const d = Math.hypot(dx, dy);
  if (d === 0) return from;
  const c = destination(from, d, (Math.atan2(dx, dy) * 180) / Math.PI, { units: 'meters' }).geometry
    .coordinates;
  return [c[0], c[1]];
}

/** A straight east-going line of `lengthM` from ORIGIN. */
export const straightRoute = (lengthM: number): LngLat[] => [ORIGIN, offset(ORIGIN, lengthM, 0)];

/** A square zone of `sideM` with its south-west corner at `sw`, closed ring. */
export function square(sw: LngLat, sideM: number): LngLat[][] {
  return [[sw, offset(sw, sideM, 0), offset(sw, sideM, sideM), offset(sw, 0, sideM), sw]];
}

/** Records every stepM along a line between fromM and toM, stepMs apart, starting at t0. */
export function drive(
  line: LngLat[],
  fromM: number,
  toM: number,
  opts: { deviceId?: string; t0: number; stepM?: number; stepMs?: number; extra?: Partial<EvidencePoint> },
): EvidencePoint[] {
  const f = lineString(line);
  const stepM = opts.stepM ?? 10;
  const stepMs = opts.stepMs ?? 5000;
  const dir = toM >= fromM ? 1 : -1;
  const out: EvidencePoint[] = [];
  for (let i = 0, m = fromM; dir > 0 ? m <= toM : m >= toM; i++, m += dir * stepM) {
    const [lng, lat] = along(f, m, { units: 'meters' }).geometry.coordinates;
    out.push({
      deviceId: opts.deviceId ?? 'veh-1',
      ts: opts.t0 + i * stepMs,
      lng,
      lat,
      spd: 8,
      ops: { sweep: true },
      ...opts.extra,
    });
  }
  return out;
}

/** A badge standing at `at` from t0 for durationMs, one record every stepMs. */
export function stay(
  at: LngLat,
  t0: number,
  durationMs: number,
  stepMs: number,
  extra: Partial<EvidencePoint> = {},
): EvidencePoint[] {
  const out: EvidencePoint[] = [];
  for (let t = t0; t < t0 + durationMs; t += stepMs)
    out.push({ deviceId: 'bdg-1', ts: t, lng: at[0], lat: at[1], evt: 'hb', ...extra });
  return out;
}
