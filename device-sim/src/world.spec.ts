import { booleanClockwise, booleanPointInPolygon, bboxPolygon, distance } from '@turf/turf';
import { buildWorld, routeCoords, worldToGeoJSON, type LngLat, type World } from './world';

const inBounds = (world: World, [lng, lat]: LngLat) => {
  const [w, s, e, n] = world.bounds;
  return lng >= w && lng <= e && lat >= s && lat <= n;
};

describe('buildWorld', () => {
  const world = buildWorld({ seed: 42 });

  it('is the same world for the same seed and another for another seed', () => {
    expect(buildWorld({ seed: 42 })).toEqual(world);
    const other = buildWorld({ seed: 43 });
    expect(other.nodes.map((n) => n.coord)).not.toEqual(world.nodes.map((n) => n.coord));
    expect(other.routes.map((r) => r.legs.map((l) => l.roadId))).not.toEqual(
      world.routes.map((r) => r.legs.map((l) => l.roadId)),
    );
  });

  it('lies around the model district centre, 23.16 N 113.27 E, about 2.5 km across', () => {
    const [w, s, e, n] = world.bounds;
    expect(w).toBeLessThan(113.27);
    expect(e).toBeGreaterThan(113.27);
    expect(s).toBeLessThan(23.16);
    expect(n).toBeGreaterThan(23.16);
    const widthKm = distance([w, 23.16], [e, 23.16]);
    expect(widthKm).toBeGreaterThan(2.5);
    expect(widthKm).toBeLessThan(3.0);
  });

  it('has straight main roads and bent side streets, all inside the bounds, forming one connected network', () => {
    const kinds = new Set(world.roads.map((r) => r.kind));
    expect(kinds).toEqual(new Set(['main', 'side']));
    for (const r of world.roads) {
      expect(r.coords.length).toBe(r.kind === 'main' ? 2 : 3);
      expect(r.coords[0]).toEqual(world.nodes[r.from].coord);
      expect(r.coords[r.coords.length - 1]).toEqual(world.nodes[r.to].coord);
      expect(r.coords.every((c) => inBounds(world, c))).toBe(true);
      expect(r.lengthM).toBeGreaterThan(150);
      expect(r.lengthM).toBeLessThan(400);
    }
    // Some side streets were dropped, yet every crossing stays reachable.
    expect(world.roads.length).toBeLessThan(2 * 11 * 10);
    const adj = new Map<number, number[]>();
    for (const r of world.roads) {
      adj.set(r.from, [...(adj.get(r.from) ?? []), r.to]);
      adj.set(r.to, [...(adj.get(r.to) ?? []), r.from]);
    }
    const seen = new Set([0]);
    const stack = [0];
    while (stack.length)
      for (const nb of adj.get(stack.pop() as number) ?? [])
        if (!seen.has(nb)) {
          seen.add(nb);
          stack.push(nb);
        }
    expect(seen.size).toBe(world.nodes.length);
  });

  it('builds routes of connected road segments inside the district, with equipment on over stretches', () => {
    expect(world.routes).toHaveLength(24);
    const roads = new Map(world.roads.map((r) => [r.id, r]));
    for (const route of world.routes) {
      expect(route.lengthM).toBeGreaterThanOrEqual(3000);
      route.legs.forEach((leg, i) => {
        const road = roads.get(leg.roadId);
        expect(road).toBeDefined();
        expect(leg.coords).toEqual(leg.reversed ? [...road!.coords].reverse() : road!.coords);
        if (i > 0)
          expect(leg.coords[0]).toEqual(route.legs[i - 1].coords[route.legs[i - 1].coords.length - 1]);
      });
      expect(routeCoords(route).every((c) => inBounds(world, c))).toBe(true);
      expect(route.legs.some((l) => l.ops)).toBe(true);
    }
    const opsShare =
      world.routes.flatMap((r) => r.legs).filter((l) => l.ops).length /
      world.routes.flatMap((r) => r.legs).length;
    expect(opsShare).toBeGreaterThan(0.25);
    expect(opsShare).toBeLessThan(0.9);
    expect(new Set(world.routes.map((r) => r.vehicleType))).toEqual(new Set(['sweeper', 'washer', 'refuse']));
  });

  it('has one zone per block: closed counter-clockwise rings inside the district, containing their centre', () => {
    expect(world.zones).toHaveLength(100);
    const district = bboxPolygon(world.bounds);
    for (const z of world.zones) {
      expect(z.ring).toHaveLength(5);
      expect(z.ring[0]).toEqual(z.ring[4]);
      expect(booleanClockwise(z.ring)).toBe(false);
      for (const c of z.ring) expect(booleanPointInPolygon(c, district)).toBe(true);
    }
    expect(new Set(world.zones.map((z) => z.id)).size).toBe(100);
  });

  it('exports roads, routes, zones and the district as GeoJSON', () => {
    const fc = worldToGeoJSON(world);
    const layers = fc.features.map((f) => (f.properties as { layer: string }).layer);
    expect(layers.filter((l) => l === 'road')).toHaveLength(world.roads.length);
    expect(layers.filter((l) => l === 'route')).toHaveLength(24);
    expect(layers.filter((l) => l === 'zone')).toHaveLength(100);
    expect(layers.filter((l) => l === 'district')).toHaveLength(1);
  });
});
