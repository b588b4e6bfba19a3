import type { EvidenceOptions, EvidenceOptionsInput } from './types';

/** Defaults for a contract that sets nothing; each contract may override any of them. */
export const DEFAULT_EVIDENCE_OPTIONS: EvidenceOptions = {
  coverage: {
    cellM: 20,
    bufferM: 15,
    passGapMin: 10,
    maxSpeedKmh: { sweep: 20, spray: 25, lift: 30, none: 60 },
    maxAccM: 50,
    doneShare: 0.95,
  },
  sites: { radiusM: 30, dwellS: 20, slotS: 10, maxGapS: 90 },
  area: { slotS: 60, maxGapS: 300, minDurationMin: 30 },
  post: { graceMin: 10, earlyMin: 60, offPostMin: 15, slotS: 60, maxCarryS: 300 },
  online: { slotS: 300 },
};

/** Defaults overlaid with a contract's (then a task's) overrides, one level deep. */
export function resolveOptions(...layers: (EvidenceOptionsInput | undefined)[]): EvidenceOptions {
  const out = structuredClone(DEFAULT_EVIDENCE_OPTIONS) as EvidenceOptions;
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(layer) as (keyof EvidenceOptions)[]) {
      const over = layer[key];
      if (!over) continue;
      const target = out[key] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(over)) {
        if (v === undefined) continue;
        target[k] =
          typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(target[k] as object), ...v } : v;
      }
    }
  }
  return out;
}
