import { CLOCK_STATES, type WorkOrderChanged, type WorkOrderDoc } from '@dwg/contracts';

/**
 * Deadline timers of work orders as BullMQ delayed jobs. Job ids are deterministic (order, card, deadline
 * version): re-adding is a no-op, a recomputed deadline gets new ids and the old ones are removed; and the handler
 * re-checks the stored order before firing, so a timer left over from an old version or state is harmless.
 */
export type Card = 'yellow' | 'red';

export interface CardJob {
  workOrderId: string;
  card: Card;
  deadlineVersion: number;
  /** When the card is due (ISO). */
  at: string;
}

export function cardJobId(workOrderId: string, card: Card, version: number): string {
  return `${workOrderId}|${card}|${version}`;
}

/** How many earlier versions' timers are removed when a deadline is recomputed (older ones are stale anyway). */
const LOOKBACK = 3;

export interface TimerPlan {
  add: { id: string; data: CardJob; delayMs: number }[];
  remove: string[];
}

export function planTimers(e: WorkOrderChanged, now: number): TimerPlan {
  const v = e.deadlineVersion ?? 0;
  const remove: string[] = [];
  for (let old = Math.max(0, v - LOOKBACK); old < v; old++)
    for (const card of ['yellow', 'red'] as const) remove.push(cardJobId(e.workOrderId, card, old));
  const add: TimerPlan['add'] = [];
  const running = CLOCK_STATES.includes(e.state);
  const cards: [Card, string | null | undefined, boolean][] = [
    ['yellow', e.dueAt, e.yellowCard],
    ['red', e.redDueAt, e.redCard],
  ];
  for (const [card, at, fired] of cards) {
    const id = cardJobId(e.workOrderId, card, v);
    if (!running || !at || fired) {
      if (!running) remove.push(id);
      continue;
    }
    add.push({
      id,
      data: { workOrderId: e.workOrderId, card, deadlineVersion: v, at },
      delayMs: Math.max(0, Date.parse(at) - now),
    });
  }
  return { add, remove };
}

export type CardDecision = { fire: true } | { fire: false; why: string };

/** Whether a timer that went off should give its card, judged on the order as stored now. */
export function decideCard(o: WorkOrderDoc | null, job: CardJob, now: number): CardDecision {
  if (!o) return { fire: false, why: 'order gone' };
  if (!CLOCK_STATES.includes(o.state)) return { fire: false, why: `order is ${o.state}` };
  if ((o.deadlineVersion ?? 0) !== job.deadlineVersion) return { fire: false, why: 'deadline recomputed' };
  const already = job.card === 'yellow' ? o.yellowCardAt : o.redCardAt;
  if (already) return { fire: false, why: 'card already given' };
  const due = job.card === 'yellow' ? o.dueAt : o.redDueAt;
  if (!due) return { fire: false, why: 'deadline unknown (paused)' };
  if (Date.parse(due) > now + 1000) return { fire: false, why: 'not due yet' };
  return { fire: true };
}
