import { bbox as turfBbox, bearing, destination, length, lineString, midpoint, polygon } from '@turf/turf';
import type { BBox, Feature, FeatureCollection, Geometry, LineString, Polygon } from 'geojson';
import { Rng, hashSeed } from './prng';

/** GeoJSON coordinate order: [longitude, latitude], WGS-84. */
export type LngLat = [number, number];

/** Centre of the model district (Baiyun, Guangzhou): 23.16 N, 113.27 E. */
export const DISTRICT_CENTRE: LngLat = [113.27, 23.16];

export interface WorldOptions {
  seed: number;
  centre?: LngLat;
  /** Side of the square road grid in metres. */
  sizeM?: number;
  /** Nominal distance between crossings in metres. */
  blockM?: number;
  /** Every n-th grid line is a straight main road; the others are crooked side streets. */
  mainEvery?: number;
  /** Share of side-street segments removed (dead ends, blocked alleys), never disconnecting the network. */
  dropSideShare?: number;
  routes?: number;
}

export type RoadKind = 'main' | 'side';

export interface RoadNode {
  id: number;
  row: number;
  col: number;
  coord: LngLat;
}

/** One road segment between two crossings. */
export interface RoadSegment {
  id: string;
  kind: RoadKind;
  name: string;
  from: number;
  to: number;
  coords: LngLat[];
  lengthM: number;
}

/** A road segment as driven on a route: coords run in driving order. */
export interface RouteLeg {
  roadId: string;
  reversed: boolean;
  coords: LngLat[];
  lengthM: number;
  /** Whether the vehicle operates its equipment (sweeps, sprays, collects) on this leg. */
  ops: boolean;
}

export type VehicleType = 'sweeper' | 'washer' | 'refuse';

export interface Route {
  id: string;
  name: string;
  vehicleType: VehicleType;
  /** Passes required per day, as a contract's route would state. */
  passes: number;
  legs: RouteLeg[];
  lengthM: number;
}

export interface Zone {
  id: string;
  name: string;
  /** Closed exterior ring, counter-clockwise. */
  ring: LngLat[];
}

export interface World {
  seed: number;
  centre: LngLat;
  /** [west, south, east, north] of the district: every road, route and zone lies inside. */
  bounds: BBox;
  nodes: RoadNode[];
  roads: RoadSegment[];
  routes: Route[];
  zones: Zone[];
}

const DEFAULTS = { sizeM: 2500, blockM: 250, mainEvery: 5, dropSideShare: 0.12, routes: 24 };
const ROUND = 1e7; // 1 cm: enough for a street map, and keeps equal coordinates bit-identical

const round = (v: number) => Math.round(v * ROUND) / ROUND;
const roundCoord = (c: number[]): LngLat => [round(c[0]), round(c[1])];

/** Point at dx metres east and dy metres north of the origin (geodesic, via turf). */
function offset(origin: LngLat, dx: number, dy: number): LngLat {
  const dist = Math.hypot(dx, dy);
  if (dist === 0) return origin;
  const brg = (Math.atan2(dx, dy) * 180) / Math.PI;
  return roundCoord(destination(origin, dist, brg, { units: 'meters' }).geometry.coordinates);
}

/**
 * Builds a deterministic district: a jittered grid of crossings joined by straight main roads and crooked side
 * streets, vehicle routes as random walks over connected segments, and one zone (grid cell) per block.
 * The same options give a deep-equal world.
 */
export function buildWorld(options: WorldOptions): World {
  const o = { ...DEFAULTS, centre: DISTRICT_CENTRE, ...options };
  const rng = new Rng(hashSeed(o.seed, 'world'));
  const n = Math.max(2, Math.round(o.sizeM / o.blockM) + 1);
  const half = ((n - 1) * o.blockM) / 2;
  const isMain = (line: number) => line % o.mainEvery === 0 || line === n - 1;
  const jitter = o.blockM * 0.12;

  const nodes: RoadNode[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      // Main roads stay straight: a crossing on a main row keeps its northing, on a main column its easting.
      const dx = isMain(col) ? 0 : rng.range(-jitter, jitter);
      const dy = isMain(row) ? 0 : rng.range(-jitter, jitter);
      const coord = offset(o.centre, col * o.blockM - half + dx, row * o.blockM - half + dy);
      nodes.push({ id: row * n + col, row, col, coord });
    }
  }
  const nodeAt = (row: number, col: number) => nodes[row * n + col];

  const roads: RoadSegment[] = [];
  const addRoad = (a: RoadNode, b: RoadNode, horizontal: boolean) => {
    const line = horizontal ? a.row : a.col;
    const kind: RoadKind = isMain(line) ? 'main' : 'side';
    const coords: LngLat[] = [a.coord];
    if (kind === 'side') {
      // Side streets in urban villages bend: push the midpoint sideways a little.
      const mid = midpoint(a.coord, b.coord).geometry.coordinates as LngLat;
      const side = rng.range(-0.06, 0.06) * o.blockM;
      const brg = bearing(a.coord, b.coord) + 90;
      coords.push(roundCoord(destination(mid, side, brg, { units: 'meters' }).geometry.coordinates));
    }
    coords.push(b.coord);
    const axis = horizontal ? 'E-W' : 'N-S';
    roads.push({
      id: `road-${horizontal ? 'h' : 'v'}-${String(a.row).padStart(2, '0')}-${String(a.col).padStart(2, '0')}`,
      kind,
      name: `${kind === 'main' ? 'Main Rd' : 'Lane'} ${axis} ${line + 1}`,
      from: a.id,
      to: b.id,
      coords,
      lengthM: length(lineString(coords), { units: 'meters' }),
    });
  };
  for (let row = 0; row < n; row++)
    for (let col = 0; col + 1 < n; col++) addRoad(nodeAt(row, col), nodeAt(row, col + 1), true);
  for (let col = 0; col < n; col++)
    for (let row = 0; row + 1 < n; row++) addRoad(nodeAt(row, col), nodeAt(row + 1, col), false);

  // Drop some side segments, keeping every crossing reachable so any route can reach any street.
  const kept = new Set(roads.map((r) => r.id));
  for (const r of roads) {
    if (r.kind !== 'side' || !rng.chance(o.dropSideShare)) continue;
    kept.delete(r.id);
    if (
      !isConnected(
        nodes.length,
        roads.filter((x) => kept.has(x.id)),
      )
    )
      kept.add(r.id);
  }
  const network = roads.filter((r) => kept.has(r.id));

  const routes = Array.from({ length: o.routes }, (_, i) => buildRoute(i, network, nodes.length, rng));

  const zones: Zone[] = [];
  for (let row = 0; row + 1 < n; row++) {
    for (let col = 0; col + 1 < n; col++) {
      const ring = [
        nodeAt(row, col),
        nodeAt(row, col + 1),
        nodeAt(row + 1, col + 1),
        nodeAt(row + 1, col),
        nodeAt(row, col),
      ].map((x) => x.coord);
      const label = `${String.fromCharCode(65 + row)}${col + 1}`;
      zones.push({ id: `zone-${label}`, name: `Grid ${label}`, ring });
    }
  }

  // District bounds: the grid's extent plus half a block, so jittered crossings and bent lanes stay inside.
  const sw = offset(o.centre, -half - o.blockM / 2, -half - o.blockM / 2);
  const ne = offset(o.centre, half + o.blockM / 2, half + o.blockM / 2);
  return {
    seed: o.seed,
    centre: o.centre,
    bounds: [sw[0], sw[1], ne[0], ne[1]],
    nodes,
    roads: network,
    routes,
    zones,
  };
}

function adjacency(nodeCount: number, roads: RoadSegment[]): RoadSegment[][] {
  const adj: RoadSegment[][] = Array.from({ length: nodeCount }, () => []);
  for (const r of roads) {
    adj[r.from].push(r);
    adj[r.to].push(r);
  }
  return adj;
}

function isConnected(nodeCount: number, roads: RoadSegment[]): boolean {
  const adj = adjacency(nodeCount, roads);
  const seen = new Set<number>([0]);
  const stack = [0];
  while (stack.length) {
    const id = stack.pop() as number;
    for (const r of adj[id]) {
      const other = r.from === id ? r.to : r.from;
      if (!seen.has(other)) {
        seen.add(other);
        stack.push(other);
      }
    }
  }
  return seen.size === nodeCount;
}

const VEHICLE_TYPES: readonly VehicleType[] = ['sweeper', 'sweeper', 'washer', 'refuse'];

/**
 * A route is a random walk of 3-7 km over connected segments that avoids U-turns and prefers streets it has not
 * covered yet. Equipment runs over stretches of several legs (toggled with a small chance per leg), as a sweeper
 * lifts its brushes to transfer between its beats.
 */
function buildRoute(index: number, roads: RoadSegment[], nodeCount: number, rng: Rng): Route {
  const adj = adjacency(nodeCount, roads);
  const vehicleType = rng.pick(VEHICLE_TYPES);
  const target = rng.range(3000, 7000);
  let at = rng.int(0, nodeCount - 1);
  let cameBy: string | null = null;
  const used = new Set<string>();
  const legs: RouteLeg[] = [];
  let total = 0;
  let ops = rng.chance(0.7);
  while (total < target) {
    const options = adj[at].filter((r) => r.id !== cameBy);
    const candidates = options.length ? options : adj[at]; // dead end: turn round
    const fresh = candidates.filter((r) => !used.has(r.id));
    const road = rng.pick(fresh.length ? fresh : candidates);
    const reversed = road.to === at;
    if (legs.length > 0 && rng.chance(0.3)) ops = !ops;
    legs.push({
      roadId: road.id,
      reversed,
      coords: reversed ? [...road.coords].reverse() : road.coords.slice(),
      lengthM: road.lengthM,
      ops,
    });
    used.add(road.id);
    total += road.lengthM;
    cameBy = road.id;
    at = reversed ? road.from : road.to;
  }
  if (!legs.some((l) => l.ops)) legs[0].ops = true; // every route has something to operate on
  const id = `route-${String(index + 1).padStart(2, '0')}`;
  return {
    id,
    name: `${vehicleType} route ${index + 1}`,
    vehicleType,
    passes: rng.int(1, 3),
    legs,
    lengthM: total,
  };
}

/** Route as one LineString in driving order (consecutive legs share their crossing, which appears once). */
export function routeCoords(route: Route): LngLat[] {
  const out: LngLat[] = [];
  route.legs.forEach((leg, i) => out.push(...(i === 0 ? leg.coords : leg.coords.slice(1))));
  return out;
}

export function zonePolygon(zone: Zone): Feature<Polygon> {
  return polygon([zone.ring], { id: zone.id, name: zone.name });
}

/** The world as one FeatureCollection (roads, routes, zones, district boundary) for seeding a demo or a map. */
export function worldToGeoJSON(world: World): FeatureCollection<Geometry> {
  const features: Feature<Geometry>[] = [];
  const [w, s, e, n] = world.bounds;
  features.push(
    polygon(
      [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
      { layer: 'district', seed: world.seed },
    ),
  );
  for (const r of world.roads)
    features.push(
      lineString(r.coords, { layer: 'road', id: r.id, kind: r.kind, name: r.name, lengthM: r.lengthM }),
    );
  for (const r of world.routes) {
    const f: Feature<LineString> = lineString(routeCoords(r), {
      layer: 'route',
      id: r.id,
      name: r.name,
      vehicleType: r.vehicleType,
      passes: r.passes,
      lengthM: r.lengthM,
      roads: r.legs.map((l) => l.roadId),
    });
    features.push(f);
  }
  for (const z of world.zones) features.push(polygon([z.ring], { layer: 'zone', id: z.id, name: z.name }));
  return { type: 'FeatureCollection', features, bbox: turfBbox({ type: 'FeatureCollection', features }) };
}

/**
 * A world made of a platform's own routes and zones (e.g. the demo seed's GeoJSON export), so simulated vehicles
 * drive the routes the contracts require and badges walk in the real grid cells. Routes are `layer: 'route'`
 * LineStrings (one leg each, operating all along when the route requires an operation); zones are the finest
 * `layer: 'zone'` polygons (grid cells when there are any).
 */
export function worldFromGeoJSON(fc: FeatureCollection, seed = 42): World {
  const routes: Route[] = [];
  const zonesByLevel = new Map<string, Zone[]>();
  for (const f of fc.features) {
    const p = (f.properties ?? {}) as Record<string, unknown>;
    if (p.layer === 'route' && f.geometry.type === 'LineString') {
      const coords = (f.geometry as LineString).coordinates.map((c) => roundCoord(c));
      const lengthM = Math.round(length(lineString(coords), { units: 'meters' }));
      const op = p.requiredOperation;
      routes.push({
        id: String(p.id),
        name: String(p.name ?? p.id),
        vehicleType: op === 'spray' ? 'washer' : op === 'lift' ? 'refuse' : 'sweeper',
        passes: Number(p.passesPerDay ?? 1),
        legs: [
          {
            roadId: String(p.id),
            reversed: false,
            coords,
            lengthM,
            ops: typeof op === 'string' && op !== 'none',
          },
        ],
        lengthM,
      });
    } else if (p.layer === 'zone' && f.geometry.type === 'Polygon') {
      const level = String(p.level ?? 'zone');
      const list = zonesByLevel.get(level) ?? [];
      list.push({
        id: String(p.id),
        name: String(p.name ?? p.id),
        ring: (f.geometry as Polygon).coordinates[0].map((c) => roundCoord(c)),
      });
      zonesByLevel.set(level, list);
    }
  }
  const zones =
    zonesByLevel.get('grid') ?? zonesByLevel.get('community') ?? [...zonesByLevel.values()].flat();
  if (routes.length === 0 || zones.length === 0)
    throw new Error('the GeoJSON holds no route LineStrings or no zone Polygons');
  const bounds = turfBbox(fc) as BBox;
  return {
    seed,
    centre: [round((bounds[0] + bounds[2]) / 2), round((bounds[1] + bounds[3]) / 2)],
    bounds,
    nodes: [],
    roads: [],
    routes,
    zones,
  };
}
