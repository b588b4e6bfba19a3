import { bbox, booleanPointInPolygon, earthRadius, point, polygon } from '@turf/turf';
import type { BBox, Feature, Polygon } from 'geojson';
import type { LngLat } from './types';

/**
 * Equirectangular projection to metres around an origin, for the hot path only: a district spans a few km, where
 * its error is far below GPS noise (< 0.05 % of distance). Cells, lengths and polygons come from turf; this just
 * lets a point be tested against precomputed cells with a few multiplications instead of a turf call per cell.
 * Uses turf's own earth radius so both agree.
 */
export class LocalProjection {
  readonly kx: number;
  readonly ky: number;
  constructor(readonly origin: LngLat) {
    this.ky = (earthRadius * Math.PI) / 180;
    this.kx = this.ky * Math.cos((origin[1] * Math.PI) / 180);
  }
  x(lng: number): number {
    return (lng - this.origin[0]) * this.kx;
  }
  y(lat: number): number {
    return (lat - this.origin[1]) * this.ky;
  }
}

/** Squared distance from (px, py) to segment (ax, ay)–(bx, by), planar. */
export function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const qx = ax + t * dx - px;
  const qy = ay + t * dy - py;
  return qx * qx + qy * qy;
}

/** A polygon prepared for many point tests: a bbox check first, turf only for points inside the bbox. */
export class PreparedPolygon {
  private readonly feature: Feature<Polygon>;
  private readonly box: BBox;
  constructor(rings: LngLat[][]) {
    this.feature = polygon(rings);
    this.box = bbox(this.feature);
  }
  contains(lng: number, lat: number): boolean {
    const b = this.box;
    if (lng < b[0] || lng > b[2] || lat < b[1] || lat > b[3]) return false;
    return booleanPointInPolygon(point([lng, lat]), this.feature);
  }
}
