import { slotOf } from './slots';
import type { DeltaBuilder } from './delta';
import type { EvidenceDoc, EvidenceOptions, EvidencePoint, EvidenceTask, OnlineSpec } from './types';

export interface CompiledOnline {
  start: number;
  end: number;
  slotMs: number;
}

export function compileOnline(task: EvidenceTask<OnlineSpec>, opts: EvidenceOptions): CompiledOnline {
  return { start: task.windowStart, end: task.windowEnd, slotMs: opts.online.slotS * 1000 };
}

export function acceptOnlinePoint(c: CompiledOnline, p: EvidencePoint, d: DeltaBuilder): void {
  if (p.ts < c.start || p.ts >= c.end) return;
  d.add('slots', slotOf(p.ts, c.slotMs));
  d.min('firstTs', p.ts);
  d.max('lastTs', p.ts);
}

export interface OnlineSummary {
  type: 'online';
  status: 'pending' | 'online' | 'offline';
  firstAt: number | null;
  lastAt: number | null;
  /** Share of the shift's slots (so far) with at least one record. */
  reportingShare: number;
  done: boolean;
}

/** Online = reported at least once during the shift; offline once the shift ended without a record. */
export function summarizeOnline(
  c: CompiledOnline,
  doc: EvidenceDoc | undefined,
  asOf: number,
): OnlineSummary {
  const n = doc?.slots?.length ?? 0;
  const until = Math.min(asOf, c.end);
  const elapsedSlots = Math.max(0, slotOf(until - 1, c.slotMs) - slotOf(c.start, c.slotMs) + 1);
  return {
    type: 'online',
    status: n > 0 ? 'online' : asOf >= c.end ? 'offline' : 'pending',
    firstAt: doc?.firstTs ?? null,
    lastAt: doc?.lastTs ?? null,
    reportingShare: elapsedSlots > 0 ? Math.round(Math.min(1, n / elapsedSlots) * 10000) / 10000 : 0,
    done: asOf >= c.end,
  };
}
