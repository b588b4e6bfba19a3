/** GeoJSON from the vertices clicked on the map ([lng, lat], WGS-84 as the api expects). */
export type DrawKind = 'Point' | 'LineString' | 'Polygon';

export function closeRing(points: [number, number][]): [number, number][] {
  if (points.length === 0) return points;
  const [f, l] = [points[0], points[points.length - 1]];
  return f[0] === l[0] && f[1] === l[1] ? points : [...points, f];
}

export function toGeometry(kind: DrawKind, points: [number, number][]): GeoJSON.Geometry | null {
  switch (kind) {
    case 'Point':
      return points.length ? { type: 'Point', coordinates: points[0] } : null;
    case 'LineString':
      return points.length >= 2 ? { type: 'LineString', coordinates: points } : null;
    case 'Polygon': {
      const ring = closeRing(points);
      return ring.length >= 4 ? { type: 'Polygon', coordinates: [ring] } : null;
    }
  }
}
