import { PreparedPolygon } from './geo';
import { runs, slotOf } from './slots';
import type { DeltaBuilder } from './delta';
import type { AreaSpec, EvidenceDoc, EvidenceOptions, EvidencePoint } from './types';

export interface CompiledArea {
  polygon: PreparedPolygon;
  slotMs: number;
  maxGapSlots: number;
  minDurationMs: number;
}

export function compileArea(spec: AreaSpec, opts: EvidenceOptions): CompiledArea {
  const o = opts.area;
  return {
    polygon: new PreparedPolygon(spec.polygon),
    slotMs: o.slotS * 1000,
    maxGapSlots: Math.max(1, Math.round(o.maxGapS / o.slotS)),
    minDurationMs: (spec.minDurationMin ?? o.minDurationMin) * 60_000,
  };
}

export function acceptAreaPoint(c: CompiledArea, p: EvidencePoint, d: DeltaBuilder): void {
  if (!c.polygon.contains(p.lng, p.lat)) return;
  d.add('inside', slotOf(p.ts, c.slotMs));
  d.min('firstTs', p.ts);
  d.max('lastTs', p.ts);
}

export interface AreaSummary {
  type: 'area';
  presentMs: number;
  requiredMs: number;
  done: boolean;
}

/** Presence = total length of the stays (runs of inside slots with gaps up to maxGapS). */
export function summarizeArea(c: CompiledArea, doc: EvidenceDoc | undefined): AreaSummary {
  let presentMs = 0;
  for (const [a, b] of runs(doc?.inside, c.maxGapSlots)) presentMs += (b - a + 1) * c.slotMs;
  return { type: 'area', presentMs, requiredMs: c.minDurationMs, done: presentMs >= c.minDurationMs };
}
