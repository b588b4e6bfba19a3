import { allowedActions, deadlineLevel, groupByState, stateOf } from './workOrders';
import { evidenceLink } from './evidence';
import { countBy, lastDays, normaliseKpis, normaliseRanking } from './kpi';
import { coverageByRoute, serviceDayOf } from './routeCoverage';
import { closeRing, toGeometry } from './geometry';
import { leafKeys, mergeMessages } from './messages';
import { zh } from '../i18n/zh';
import { en } from '../i18n/en';

const now = Date.parse('2026-11-27T08:00:00Z');

describe('work orders', () => {
  it('offers the actions of the state, or the ones the api lists', () => {
    expect(allowedActions({ state: 'reported' })).toEqual(['dispatch', 'reject']);
    expect(allowedActions({ state: 'in_progress' })).toEqual(['resolve']);
    expect(allowedActions({ state: 'closed' })).toEqual([]);
    expect(allowedActions({ state: 'resolved', allowedActions: ['close'] })).toEqual(['close']);
    expect(stateOf({ status: 'accepted' })).toBe('accepted');
  });

  it('shows deadline and escalation cards', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now - 1) }, now)).toBe('overdue');
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now + 3_600_000) }, now)).toBe('due_soon');
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now + 86_400_000) }, now)).toBe('on_track');
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now - 1), escalation: 'red' }, now)).toBe(
      'red',
    );
    expect(deadlineLevel({ state: 'closed', deadline: iso(now - 1), escalation: 'red' }, now)).toBe('done');
  });

  it('groups the board by state, known states first, unknown ones kept', () => {
    const g = groupByState([
      { state: 'reported' },
      { state: 'closed' },
      { state: 'verified' },
      { state: 'reported' },
    ]);
    expect(Object.keys(g).slice(0, 2)).toEqual(['reported', 'dispatched']);
    expect(g.reported).toHaveLength(2);
    expect(g.verified).toHaveLength(1);
  });
});

describe('evidence drill-down', () => {
  it('links tracks to playback and records to their page', () => {
    expect(evidenceLink({ type: 'track', deviceId: 'veh-0001', from: 'a', to: 'b' })?.to).toBe(
      '/playback?device=veh-0001&from=a&to=b',
    );
    expect(evidenceLink({ type: 'task', id: 't 1' })?.to).toBe('/tasks/t%201/show');
    expect(evidenceLink({ workOrderId: 'w1' })?.to).toBe('/work-orders/w1/show');
    expect(evidenceLink({ type: 'photo' })).toBeNull();
  });
});

describe('KPIs', () => {
  it('reads totals and series, or takes the last bucket as the total', () => {
    const v = normaliseKpis({
      totals: { coverageRate: 0.9, attendanceRate: { value: 0.95 } },
      series: [
        { date: '2026-11-26', coverageRate: 0.8 },
        { day: '2026-11-27', coverageRate: 0.9 },
      ],
    });
    expect(v.totals).toEqual({ coverageRate: 0.9, attendanceRate: 0.95 });
    expect(v.series.map((s) => s.date)).toEqual(['2026-11-26', '2026-11-27']);
    expect(
      normaliseKpis([
        { date: 'd1', onlineRate: 0.5 },
        { date: 'd2', onlineRate: 0.7 },
      ]).totals,
    ).toEqual({
      onlineRate: 0.7,
    });
  });

  it('ranks zones best first and counts by field', () => {
    const r = normaliseRanking([
      { zoneName: '网格 1', value: 0.7 },
      { zoneName: '网格 2', value: 0.9 },
      { zoneName: 'bad' },
    ]);
    expect(r.map((x) => x.name)).toEqual(['网格 2', '网格 1']);
    expect(countBy([{ s: 'a' }, { s: 'a' }, { s: 'b' }], 's')).toEqual([
      { name: 'a', count: 2 },
      { name: 'b', count: 1 },
    ]);
  });

  it('uses the Shanghai service day', () => {
    expect(serviceDayOf(Date.parse('2026-11-26T17:00:00Z'))).toBe('2026-11-27');
    expect(lastDays(7, Date.parse('2026-11-26T17:00:00Z'))).toEqual({ from: '2026-11-21', to: '2026-11-27' });
  });

  it("averages a route's coverage over today's tasks", () => {
    const m = coverageByRoute([
      { targetType: 'route', targetId: 'r1', evidence: { coverageRate: 0.5 } },
      { targetType: 'route', targetId: 'r1', coverageRate: 1 },
      { targetType: 'zone', targetId: 'z1', coverageRate: 1 },
      { targetType: 'route', targetId: 'r2' },
    ]);
    expect([...m]).toEqual([['r1', 0.75]]);
  });
});

describe('drawn geometry', () => {
  it('closes polygon rings and refuses too few vertices', () => {
    expect(
      closeRing([
        [1, 1],
        [2, 1],
        [2, 2],
      ]),
    ).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 1],
    ]);
    expect(
      toGeometry('Polygon', [
        [1, 1],
        [2, 1],
        [2, 2],
      ]),
    ).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    });
    expect(
      toGeometry('Polygon', [
        [1, 1],
        [2, 1],
      ]),
    ).toBeNull();
    expect(toGeometry('LineString', [[1, 1]])).toBeNull();
    expect(toGeometry('Point', [[1, 2]])).toEqual({ type: 'Point', coordinates: [1, 2] });
  });
});

describe('locales', () => {
  it('has the same keys in Chinese and English', () => {
    expect(leafKeys(en).sort()).toEqual(leafKeys(zh).sort());
  });

  it('merges message trees key by key', () => {
    expect(mergeMessages({ ra: { a: '1', b: '2' } }, { ra: { b: '3' } })).toEqual({ ra: { a: '1', b: '3' } });
  });
});
