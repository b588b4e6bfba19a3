import type { Polygon } from 'geojson';
import { pointInside } from '../geo/geometry';
import { ZONE_LEVELS } from '../resources/model';

export interface ZoneLite {
  _id: string;
  contractId: string;
  level: string;
  parentId?: string;
  geometry: Polygon;
}

/**
 * The zone a report falls in: the deepest level (grid before community before street) containing the point, and
 * its ancestors for the routing rules. Overlapping zones of the same level: the first by id, so it is stable.
 */
export function placePoint(
  point: { lng: number; lat: number },
  zones: ZoneLite[],
): { zone: ZoneLite; chain: string[] } | null {
  const pt = { type: 'Point' as const, coordinates: [point.lng, point.lat] };
  const inside = zones
    .filter((z) => pointInside(pt, z.geometry))
    .sort(
      (a, b) =>
        ZONE_LEVELS.indexOf(b.level as never) - ZONE_LEVELS.indexOf(a.level as never) ||
        a._id.localeCompare(b._id),
    );
  const zone = inside[0];
  if (!zone) return null;
  const byId = new Map(zones.map((z) => [z._id, z]));
  const chain = [zone._id];
  for (let p = zone.parentId; p && chain.length < 10; p = byId.get(p)?.parentId) chain.push(p);
  return { zone, chain };
}
