import {
  addWorkingTime,
  allowedActions,
  calendarProblems,
  computeDeadlines,
  DEFAULT_CALENDAR,
  routeOrder,
  transition,
  TRANSITIONS,
  WORK_ORDER_ACTIONS,
  workingTimeBetween,
  type WorkCalendar,
} from '.';
import type { WorkOrderState } from '../domain-events';

const STATES: WorkOrderState[] = [
  'reported',
  'screening',
  'dispatched',
  'accepted',
  'in_progress',
  'resolved',
  'closed',
  'rejected',
  'merged',
];

describe('work-order state machine', () => {
  it('walks the whole loop', () => {
    const steps: [string, string][] = [
      ['dispatch', 'dispatcher'],
      ['accept', 'field_worker'],
      ['start', 'field_worker'],
      ['resolve', 'field_worker'],
      ['send_back', 'dispatcher'],
      ['resolve', 'field_worker'],
      ['verify', 'dispatcher'],
      ['rate', 'field_worker'],
    ];
    let s: WorkOrderState = 'screening';
    const seen: string[] = [];
    for (const [a, r] of steps) {
      const t = transition(s, a, r as never);
      if (!t.ok) throw new Error(t.message);
      s = t.to;
      seen.push(s);
    }
    expect(seen).toEqual([
      'dispatched',
      'accepted',
      'in_progress',
      'resolved',
      'in_progress',
      'resolved',
      'closed',
      'closed',
    ]);
  });

  it('refuses every illegal transition with 409 naming the allowed actions', () => {
    let illegal = 0;
    for (const s of STATES)
      for (const a of WORK_ORDER_ACTIONS) {
        if (TRANSITIONS[a].from.includes(s)) continue;
        const t = transition(s, a, 'admin');
        expect(t.ok).toBe(false);
        if (t.ok) continue;
        illegal++;
        expect(t.status).toBe(409);
        expect(t.allowed).toEqual(allowedActions(s, 'admin'));
        expect(t.message).toContain(`cannot ${a} a work order that is ${s}`);
      }
    expect(illegal).toBeGreaterThan(50);
    const closed = transition('closed', 'verify', 'dispatcher');
    expect(closed).toMatchObject({ ok: false, status: 409, allowed: ['rate'] });
    expect(transition('rejected', 'accept', 'dispatcher')).toMatchObject({ allowed: [] });
  });

  it('refuses roles that may not act, and unknown actions', () => {
    expect(transition('resolved', 'verify', 'field_worker')).toMatchObject({ ok: false, status: 403 });
    expect(transition('dispatched', 'accept', 'gov_reviewer')).toMatchObject({ ok: false, status: 403 });
    expect(transition('dispatched', 'fly', 'admin')).toMatchObject({ ok: false, status: 400 });
  });
});

// 2026-03-02 is a Monday. Local time UTC+8.
const at = (local: string) => Date.parse(`${local}+08:00`);
const cal = (over: Partial<WorkCalendar> = {}): WorkCalendar => ({
  ...DEFAULT_CALENDAR,
  workDays: [1, 2, 3, 4, 5],
  start: '08:00',
  end: '18:00',
  ...over,
});
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe('working time', () => {
  it('counts only working hours and skips nights and weekends', () => {
    expect(iso(addWorkingTime(at('2026-03-02T09:00:00'), 60 * 60_000, cal()))).toBe(
      iso(at('2026-03-02T10:00:00')),
    );
    // Friday 17:00 + 2h → Monday 09:00
    expect(iso(addWorkingTime(at('2026-03-06T17:00:00'), 2 * 3600_000, cal()))).toBe(
      iso(at('2026-03-09T09:00:00')),
    );
    // reported at night: the clock starts at 08:00
    expect(iso(addWorkingTime(at('2026-03-02T22:00:00'), 30 * 60_000, cal()))).toBe(
      iso(at('2026-03-03T08:30:00')),
    );
  });

  it('skips holidays and works make-up days', () => {
    const c = cal({ holidays: ['2026-03-03'], extraWorkdays: ['2026-03-07'] });
    expect(iso(addWorkingTime(at('2026-03-02T17:00:00'), 2 * 3600_000, c))).toBe(
      iso(at('2026-03-04T09:00:00')),
    );
    expect(iso(addWorkingTime(at('2026-03-06T17:00:00'), 2 * 3600_000, c))).toBe(
      iso(at('2026-03-07T09:00:00')),
    );
  });

  it('a pause delays the deadline by its length; an open pause leaves it unknown', () => {
    const closedPause = cal({
      pauses: [
        { id: 'p', reason: 'typhoon', from: '2026-03-02T09:30:00+08:00', to: '2026-03-02T11:30:00+08:00' },
      ],
    });
    expect(iso(addWorkingTime(at('2026-03-02T09:00:00'), 60 * 60_000, closedPause))).toBe(
      iso(at('2026-03-02T12:00:00')),
    );
    const open = cal({
      pauses: [{ id: 'p', reason: 'typhoon', from: '2026-03-02T09:30:00+08:00', to: null }],
    });
    expect(addWorkingTime(at('2026-03-02T09:00:00'), 60 * 60_000, open)).toBeNull();
    // finished before the pause: unaffected
    expect(iso(addWorkingTime(at('2026-03-02T09:00:00'), 10 * 60_000, open))).toBe(
      iso(at('2026-03-02T09:10:00')),
    );
    expect(workingTimeBetween(at('2026-03-02T09:00:00'), at('2026-03-02T12:00:00'), closedPause)).toBe(
      3600_000,
    );
  });

  it('round-the-clock calendars and per-category overrides', () => {
    const c = {
      ...DEFAULT_CALENDAR,
      start: '00:00',
      end: '24:00',
      deadlines: { litter: { dueMin: 1, redMin: 2 } },
    };
    const d = computeDeadlines('2026-03-02T23:59:30.000Z', { code: 'litter', dueMin: 60, redMin: 120 }, c);
    expect(d).toEqual({ dueAt: '2026-03-03T00:00:30.000Z', redAt: '2026-03-03T00:01:30.000Z' });
    expect(calendarProblems(c)).toEqual([]);
    expect(calendarProblems({ ...c, start: '18:00', end: '08:00', workDays: [0] })).toEqual([
      'start must be before end',
      'workDays must list ISO weekdays 1 (Monday) to 7 (Sunday)',
    ]);
  });
});

describe('routing', () => {
  const base = {
    category: { code: 'litter', serviceLine: 'sanitation' },
    zoneChain: ['grid-1', 'street-1'],
    contract: { id: 'c1', serviceLines: ['sanitation', 'waste_sorting'] },
    rules: [] as { category: string; teamId: string; zoneId?: string }[],
    teams: [
      { id: 't2', serviceLine: 'sanitation' },
      { id: 't1', serviceLine: 'sanitation' },
      { id: 't3', serviceLine: 'waste_sorting' },
    ],
  };
  it('prefers a zone rule, then a contract rule, then the first team of the line', () => {
    expect(routeOrder(base).teamId).toBe('t1');
    expect(routeOrder({ ...base, rules: [{ category: 'litter', teamId: 't2' }] }).teamId).toBe('t2');
    expect(
      routeOrder({
        ...base,
        rules: [
          { category: 'litter', teamId: 't2' },
          { category: 'litter', teamId: 't3', zoneId: 'street-1' },
        ],
      }).teamId,
    ).toBe('t3');
  });
  it('sends unknown categories, points outside zones and uncovered lines to screening', () => {
    expect(routeOrder({ ...base, category: undefined })).toEqual({
      teamId: null,
      reason: 'unknown category',
    });
    expect(routeOrder({ ...base, zoneChain: [], contract: null }).teamId).toBeNull();
    expect(routeOrder({ ...base, category: { code: 'damaged_greenery', serviceLine: 'greening' } })).toEqual({
      teamId: null,
      reason: 'contract does not cover greening',
    });
  });
});
