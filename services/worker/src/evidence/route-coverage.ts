import { length, lineChunk, lineString } from '@turf/turf';
import { LocalProjection, segDist2 } from './geo';
import { runs } from './slots';
import type { DeltaBuilder } from './delta';
import type {
  EvidenceDoc,
  EvidenceOptions,
  EvidencePoint,
  EvidenceTask,
  Operation,
  RouteSpec,
} from './types';

const MINUTE = 60_000;

/**
 * A route prepared for the hot path: cells cut with turf's lineChunk, projected to local metres, and a grid hash
 * from grid square to the cells within the buffer of it, so a point is tested against the two or three cells near
 * it instead of all of them.
 */
export interface CompiledRoute {
  proj: LocalProjection;
  /** Length of each cell (m). */
  cellLen: Float64Array;
  /** Each cell's polyline in local metres: x0, y0, x1, y1, … */
  cellXY: Float64Array[];
  totalM: number;
  gridM: number;
  grid: Map<number, Int32Array>;
  buffer2: number;
  operation: Operation | null;
  maxSpeedKmh: number;
  passes: number;
  passGapMin: number;
  maxAccM: number;
  doneShare: number;
}

const key = (gx: number, gy: number) => (gx + 0x8000) * 0x10000 + (gy + 0x8000);

export function compileRoute(spec: RouteSpec, opts: EvidenceOptions): CompiledRoute {
  const o = opts.coverage;
  if (spec.line.length < 2) throw new Error(`route ${spec.routeId} needs at least two coordinates`);
  const bufferM = spec.bufferM ?? o.bufferM;
  const line = lineString(spec.line);
  const proj = new LocalProjection(spec.line[0]);
  const chunks = lineChunk(line, o.cellM, { units: 'meters' }).features;
  const cellLen = new Float64Array(chunks.length);
  const cellXY: Float64Array[] = [];
  // Grid squares as large as the buffer: a point's own square and its 8 neighbours hold every cell within reach,
  // and registering each cell under the squares its buffered bbox touches lets the lookup read one square.
  const gridM = Math.max(bufferM, 5);
  const buckets = new Map<number, number[]>();
  chunks.forEach((chunk, i) => {
    const coords = chunk.geometry.coordinates;
    cellLen[i] = length(chunk, { units: 'meters' });
    const xy = new Float64Array(coords.length * 2);
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    coords.forEach((c, j) => {
      const x = proj.x(c[0]);
      const y = proj.y(c[1]);
      xy[2 * j] = x;
      xy[2 * j + 1] = y;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    });
    cellXY.push(xy);
    for (let gx = Math.floor((minX - bufferM) / gridM); gx <= Math.floor((maxX + bufferM) / gridM); gx++) {
      for (let gy = Math.floor((minY - bufferM) / gridM); gy <= Math.floor((maxY + bufferM) / gridM); gy++) {
        const k = key(gx, gy);
        const b = buckets.get(k);
        if (b) b.push(i);
        else buckets.set(k, [i]);
      }
    }
  });
  const grid = new Map<number, Int32Array>();
  for (const [k, v] of buckets) grid.set(k, Int32Array.from(v));
  let totalM = 0;
  for (const l of cellLen) totalM += l;
  return {
    proj,
    cellLen,
    cellXY,
    totalM,
    gridM,
    grid,
    buffer2: bufferM * bufferM,
    operation: spec.operation,
    maxSpeedKmh: spec.maxSpeedKmh ?? o.maxSpeedKmh[spec.operation ?? 'none'],
    passes: Math.max(1, spec.passes),
    passGapMin: o.passGapMin,
    maxAccM: o.maxAccM,
    doneShare: o.doneShare,
  };
}

/** Indexes of the cells within the buffer of a point. */
export function cellsNear(r: CompiledRoute, lng: number, lat: number, out: number[] = []): number[] {
  out.length = 0;
  const x = r.proj.x(lng);
  const y = r.proj.y(lat);
  const cand = r.grid.get(key(Math.floor(x / r.gridM), Math.floor(y / r.gridM)));
  if (!cand) return out;
  for (let c = 0; c < cand.length; c++) {
    const i = cand[c];
    const xy = r.cellXY[i];
    for (let j = 0; j + 3 < xy.length; j += 2) {
      if (segDist2(x, y, xy[j], xy[j + 1], xy[j + 2], xy[j + 3]) <= r.buffer2) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

/** Whether a record counts for coverage at all: the operation on, speed within its limit, a usable fix. */
export function validForCoverage(r: CompiledRoute, p: EvidencePoint): boolean {
  if (r.operation && !p.ops?.[r.operation]) return false;
  if (p.spd !== undefined && p.spd > r.maxSpeedKmh) return false;
  if (p.acc !== undefined && p.acc > r.maxAccM) return false;
  return true;
}

const scratch: number[] = [];

/** Adds the epoch minute of a valid point to every cell it covers. */
export function acceptRoutePoint(r: CompiledRoute, p: EvidencePoint, d: DeltaBuilder): void {
  if (!validForCoverage(r, p)) return;
  const cells = cellsNear(r, p.lng, p.lat, scratch);
  if (cells.length === 0) return;
  const minute = Math.floor(p.ts / MINUTE);
  for (const i of cells) d.add(`cells.c${i}`, minute);
  d.min('firstTs', p.ts);
  d.max('lastTs', p.ts);
}

export interface RouteSummary {
  type: 'route';
  lengthM: number;
  /** Length whose cells reached the required passes. */
  coveredM: number;
  coverage: number;
  /** Length touched at least once (progress while more passes are due). */
  touchedM: number;
  cells: number;
  cellsDone: number;
  passesRequired: number;
  done: boolean;
}

/** Passes of one cell: runs of hit minutes separated by more than passGapMin. */
export const passesOf = (minutes: number[] | undefined, passGapMin: number) =>
  runs(minutes, passGapMin).length;

export function summarizeRoute(r: CompiledRoute, doc: EvidenceDoc | undefined): RouteSummary {
  let coveredM = 0;
  let touchedM = 0;
  let cellsDone = 0;
  const cells = doc?.cells ?? {};
  for (let i = 0; i < r.cellLen.length; i++) {
    const m = cells[`c${i}`];
    if (!m || m.length === 0) continue;
    touchedM += r.cellLen[i];
    if (passesOf(m, r.passGapMin) >= r.passes) {
      coveredM += r.cellLen[i];
      cellsDone++;
    }
  }
  const coverage = r.totalM > 0 ? coveredM / r.totalM : 0;
  return {
    type: 'route',
    lengthM: round1(r.totalM),
    coveredM: round1(coveredM),
    coverage: Math.round(coverage * 10000) / 10000,
    touchedM: round1(touchedM),
    cells: r.cellLen.length,
    cellsDone,
    passesRequired: r.passes,
    done: coverage >= r.doneShare,
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export type RouteTask = EvidenceTask<RouteSpec>;
