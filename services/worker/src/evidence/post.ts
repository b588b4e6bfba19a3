import { PreparedPolygon } from './geo';
import { slotOf } from './slots';
import type { DeltaBuilder } from './delta';
import type { EvidenceDoc, EvidenceOptions, EvidencePoint, EvidenceTask, PostSpec } from './types';

export interface CompiledPost {
  zone: PreparedPolygon;
  start: number;
  end: number;
  graceMs: number;
  earlyMs: number;
  offPostMs: number;
  slotMs: number;
  maxCarryMs: number;
}

export function compilePost(task: EvidenceTask<PostSpec>, opts: EvidenceOptions): CompiledPost {
  const o = opts.post;
  return {
    zone: new PreparedPolygon(task.spec.zone),
    start: task.windowStart,
    end: task.windowEnd,
    graceMs: o.graceMin * 60_000,
    earlyMs: o.earlyMin * 60_000,
    offPostMs: o.offPostMin * 60_000,
    slotMs: o.slotS * 1000,
    maxCarryMs: o.maxCarryS * 1000,
  };
}

/**
 * Arrival is the earliest clock-in or badge point inside the zone (from earlyMin before the shift); during the
 * shift every point marks its slot inside or outside.
 */
export function acceptPostPoint(c: CompiledPost, p: EvidencePoint, d: DeltaBuilder): void {
  if (p.ts < c.start - c.earlyMs || p.ts >= c.end) return;
  const inside = c.zone.contains(p.lng, p.lat);
  if (inside) {
    d.min('firstInsideTs', p.ts);
    if (p.evt === 'in') d.min('clockInTs', p.ts);
  }
  if (p.evt === 'out') d.max('clockOutTs', p.ts);
  if (p.ts >= c.start) d.add(inside ? 'inside' : 'outside', slotOf(p.ts, c.slotMs));
  d.min('firstTs', p.ts);
  d.max('lastTs', p.ts);
}

export type Attendance = 'pending' | 'on_time' | 'late' | 'absent';

export interface OffPostEpisode {
  from: number;
  to: number;
  ms: number;
}

export interface PostSummary {
  type: 'post';
  attendance: Attendance;
  arrivedAt: number | null;
  /** Time known to be inside the zone during the shift (up to asOf). */
  onPostMs: number;
  elapsedMs: number;
  onPostRate: number;
  offPost: OffPostEpisode[];
  /** The badge sent a record during the shift, inside the zone or not (management coverage counts it). */
  seen: boolean;
  done: boolean;
}

/**
 * Attendance and on-post time as of `asOf`. A slot with any point inside counts inside (a fix wandering over the
 * boundary is not 离岗). Each observed slot stands until the next one, at most maxCarryS: a silent badge is unknown
 * time, neither on post nor off post (that is the device-offline alarm's business). An off-post episode runs from
 * the first outside slot to the next inside slot (or the last outside slot's end) and counts when longer than
 * offPostMin.
 */
export function summarizePost(c: CompiledPost, doc: EvidenceDoc | undefined, asOf: number): PostSummary {
  const arrivals = [doc?.clockInTs, doc?.firstInsideTs].filter((v): v is number => typeof v === 'number');
  const arrivedAt = arrivals.length ? Math.min(...arrivals) : null;
  const deadline = c.start + c.graceMs;
  const attendance: Attendance =
    arrivedAt !== null
      ? arrivedAt <= deadline
        ? 'on_time'
        : 'late'
      : asOf > deadline
        ? 'absent'
        : 'pending';

  const until = Math.min(asOf, c.end);
  const insideSet = new Set(doc?.inside ?? []);
  const slots = [...new Set([...(doc?.inside ?? []), ...(doc?.outside ?? [])])].sort((a, b) => a - b);
  let onPostMs = 0;
  const offPost: OffPostEpisode[] = [];
  let outFrom: number | null = null;
  let lastOutEnd = 0;
  const closeEpisode = (to: number) => {
    if (outFrom !== null && to - outFrom > c.offPostMs) offPost.push({ from: outFrom, to, ms: to - outFrom });
    outFrom = null;
  };
  for (let i = 0; i < slots.length; i++) {
    const t = Math.max(slots[i] * c.slotMs, c.start);
    if (t >= until) break;
    const next = i + 1 < slots.length ? slots[i + 1] * c.slotMs : Infinity;
    const stands = Math.min(next, t + c.maxCarryMs, until) - t;
    if (insideSet.has(slots[i])) {
      onPostMs += stands;
      closeEpisode(t);
    } else {
      if (outFrom === null) outFrom = t;
      lastOutEnd = t + stands;
    }
  }
  if (outFrom !== null) closeEpisode(lastOutEnd);
  const elapsedMs = Math.max(0, until - c.start);
  return {
    type: 'post',
    attendance,
    arrivedAt,
    onPostMs,
    elapsedMs,
    onPostRate: elapsedMs > 0 ? Math.round((onPostMs / elapsedMs) * 10000) / 10000 : 0,
    offPost,
    seen: slots.length > 0,
    done: asOf >= c.end,
  };
}
