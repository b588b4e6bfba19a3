import type { WorkOrderChanged, WorkOrderDoc } from '@dwg/contracts';
import { cardJobId, decideCard, planTimers } from './timers';

const now = Date.parse('2026-03-02T01:00:00.000Z');
const event = (over: Partial<WorkOrderChanged> = {}) =>
  ({
    workOrderId: 'wo1',
    state: 'dispatched',
    dueAt: '2026-03-02T01:10:00.000Z',
    redDueAt: '2026-03-02T01:20:00.000Z',
    yellowCard: false,
    redCard: false,
    deadlineVersion: 2,
    ...over,
  }) as WorkOrderChanged;

describe('deadline timers', () => {
  it('plans both cards with deterministic ids and drops the previous versions', () => {
    const p = planTimers(event(), now);
    expect(p.add.map((a) => [a.id, a.delayMs])).toEqual([
      ['wo1|yellow|2', 600_000],
      ['wo1|red|2', 1_200_000],
    ]);
    expect(p.remove).toEqual(['wo1|yellow|0', 'wo1|red|0', 'wo1|yellow|1', 'wo1|red|1']);
  });
  it('plans nothing for a fired card, a paused deadline or a stopped clock', () => {
    expect(planTimers(event({ yellowCard: true, redDueAt: null }), now).add).toEqual([]);
    const resolved = planTimers(event({ state: 'resolved' }), now);
    expect(resolved.add).toEqual([]);
    expect(resolved.remove).toContain(cardJobId('wo1', 'red', 2));
  });
  it('fires only when the stored order still agrees', () => {
    const o = {
      _id: 'wo1',
      state: 'in_progress',
      dueAt: '2026-03-02T01:00:00.000Z',
      redDueAt: '2026-03-02T01:20:00.000Z',
      deadlineVersion: 2,
    } as WorkOrderDoc;
    const job = { workOrderId: 'wo1', card: 'yellow' as const, deadlineVersion: 2, at: o.dueAt! };
    expect(decideCard(o, job, now)).toEqual({ fire: true });
    expect(decideCard({ ...o, deadlineVersion: 3 }, job, now)).toEqual({
      fire: false,
      why: 'deadline recomputed',
    });
    expect(decideCard({ ...o, state: 'resolved' }, job, now)).toEqual({
      fire: false,
      why: 'order is resolved',
    });
    expect(decideCard({ ...o, yellowCardAt: 'x' }, job, now)).toMatchObject({ fire: false });
    expect(decideCard({ ...o, dueAt: null }, job, now)).toMatchObject({ why: 'deadline unknown (paused)' });
    expect(decideCard(o, { ...job, card: 'red' }, now)).toMatchObject({ why: 'not due yet' });
  });
});
