import { area, booleanPointInPolygon, kinks, length, lineString, point, polygon } from '@turf/turf';
import type { LineString, Point, Polygon, Position } from 'geojson';

/** GeoJSON checks the API applies before storing a shape. Each returns the problems found (empty = valid). */

function positionProblems(p: unknown, where: string): string[] {
  if (
    !Array.isArray(p) ||
    p.length < 2 ||
    p.length > 3 ||
    !p.every((n) => typeof n === 'number' && Number.isFinite(n))
  )
    return [`${where} must be a position [lng, lat]`];
  const [lng, lat] = p as number[];
  const out: string[] = [];
  if (lng < -180 || lng > 180) out.push(`${where}: longitude ${lng} is out of range -180..180`);
  if (lat < -90 || lat > 90) out.push(`${where}: latitude ${lat} is out of range -90..90`);
  return out;
}

function typed(g: unknown, type: string, field: string): string[] {
  if (typeof g !== 'object' || g === null || Array.isArray(g))
    return [`${field} must be a GeoJSON ${type} object`];
  const o = g as Record<string, unknown>;
  if (o.type !== type) return [`${field}.type must be "${type}"`];
  const extra = Object.keys(o).filter((k) => k !== 'type' && k !== 'coordinates');
  if (extra.length) return [`${field} has unknown members: ${extra.join(', ')}`];
  if (!Array.isArray(o.coordinates)) return [`${field}.coordinates must be an array`];
  return [];
}

export function pointProblems(g: unknown, field = 'geometry'): string[] {
  const t = typed(g, 'Point', field);
  if (t.length) return t;
  return positionProblems((g as Point).coordinates, `${field}.coordinates`);
}

export function lineStringProblems(g: unknown, field = 'geometry'): string[] {
  const t = typed(g, 'LineString', field);
  if (t.length) return t;
  const coords = (g as LineString).coordinates as unknown[];
  if (coords.length < 2) return [`${field} needs at least 2 positions`];
  const out = coords.flatMap((p, i) => positionProblems(p, `${field}.coordinates[${i}]`));
  if (out.length) return out;
  if (length(lineString(coords as Position[]), { units: 'meters' }) <= 0) return [`${field} has zero length`];
  return [];
}

export function polygonProblems(g: unknown, field = 'geometry'): string[] {
  const t = typed(g, 'Polygon', field);
  if (t.length) return t;
  const rings = (g as Polygon).coordinates as unknown[];
  if (rings.length < 1) return [`${field} needs an exterior ring`];
  const out: string[] = [];
  rings.forEach((ring, r) => {
    const where = `${field}.coordinates[${r}]`;
    if (!Array.isArray(ring)) return out.push(`${where} must be an array of positions`);
    ring.forEach((p, i) => out.push(...positionProblems(p, `${where}[${i}]`)));
    if (ring.length < 4) out.push(`${where}: a ring needs at least 4 positions (a closed triangle)`);
    else {
      const a = ring[0] as number[];
      const b = ring[ring.length - 1] as number[];
      if (Array.isArray(a) && Array.isArray(b) && (a[0] !== b[0] || a[1] !== b[1]))
        out.push(`${where}: ring is not closed (first position must equal the last)`);
    }
  });
  if (out.length) return out;
  const f = polygon(rings as Position[][]);
  const k = kinks(f);
  if (k.features.length > 0) {
    const [lng, lat] = k.features[0].geometry.coordinates;
    return [`${field} intersects itself near [${lng.toFixed(6)}, ${lat.toFixed(6)}]`];
  }
  if (area(f) <= 0) return [`${field} has zero area`];
  return [];
}

export function lengthM(g: LineString): number {
  return Math.round(length(lineString(g.coordinates), { units: 'meters' }) * 10) / 10;
}

export function areaM2(g: Polygon): number {
  return Math.round(area(polygon(g.coordinates)) * 10) / 10;
}

/** Whether every vertex of `inner` lies inside `outer` or on its boundary (zones nest inside their parent). */
export function polygonInside(inner: Polygon, outer: Polygon): boolean {
  const o = polygon(outer.coordinates);
  return inner.coordinates[0].every((p) => booleanPointInPolygon(point(p), o, { ignoreBoundary: false }));
}

export function pointInside(p: Point, outer: Polygon): boolean {
  return booleanPointInPolygon(point(p.coordinates), polygon(outer.coordinates), { ignoreBoundary: false });
}
