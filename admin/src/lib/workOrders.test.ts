import {
  actionBody,
  actionFields,
  allowedActions,
  deadlineLevel,
  groupByState,
  photosOfKind,
  stateOf,
} from './workOrders';
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
    expect(allowedActions({ state: 'screening' })).toEqual(['dispatch', 'reject', 'merge']);
    expect(allowedActions({ state: 'in_progress' })).toEqual(['resolve', 'merge']);
    expect(allowedActions({ state: 'resolved' })).toEqual(['verify', 'send_back']);
    expect(allowedActions({ state: 'rejected' })).toEqual([]);
    expect(allowedActions({ state: 'resolved', allowedActions: ['verify'] })).toEqual(['verify']);
    expect(stateOf({ status: 'accepted' })).toBe('accepted');
  });

  it("builds each action's body as docs/work-orders.md says", () => {
    expect(actionFields('dispatch')).toEqual(['teamId', 'category', 'reason']);
    expect(actionBody('dispatch', { teamId: 'team-01', category: '', reason: ' 人工 ' })).toEqual({
      teamId: 'team-01',
      reason: '人工',
    });
    expect(actionBody('verify', { fixed: true, comment: 'ok' })).toEqual({ fixed: true, comment: 'ok' });
    expect(actionBody('verify', { fixed: false })).toEqual({ fixed: false });
    expect(actionBody('rate', { rating: '4' })).toEqual({ rating: 4 });
    expect(actionBody('accept', { comment: 'ignored' })).toEqual({});
    const fd = actionBody('resolve', { comment: 'done' }, [new Blob(['x'], { type: 'image/png' })]);
    expect(fd).toBeInstanceOf(FormData);
    expect((fd as FormData).get('comment')).toBe('done');
    expect((fd as FormData).getAll('photos')).toHaveLength(1);
  });

  it('splits report and result photos', () => {
    const r = { photos: [{ id: 'a', kind: 'report' }, { id: 'b', kind: 'result' }, { id: 'c' }] };
    expect(photosOfKind(r, 'report')).toEqual([{ id: 'a', kind: 'report' }, { id: 'c' }]);
    expect(photosOfKind(r, 'result')).toEqual([{ id: 'b', kind: 'result' }]);
    expect(photosOfKind({}, 'result')).toEqual([]);
  });

  it('shows deadline and escalation cards', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now - 1) }, now)).toBe('overdue');
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now + 3_600_000) }, now)).toBe('due_soon');
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now + 86_400_000) }, now)).toBe('on_track');
    expect(deadlineLevel({ state: 'dispatched', deadline: iso(now - 1), escalation: 'red' }, now)).toBe(
      'red',
    );
    expect(deadlineLevel({ state: 'accepted', dueAt: iso(now - 1), yellowCardAt: iso(now - 1) }, now)).toBe(
      'yellow',
    );
    expect(
      deadlineLevel({ state: 'accepted', yellowCardAt: iso(now - 2), redCardAt: iso(now - 1) }, now),
    ).toBe('red');
    expect(deadlineLevel({ state: 'merged', redCardAt: iso(now - 1) }, now)).toBe('done');
    expect(deadlineLevel({ state: 'closed', deadline: iso(now - 1), escalation: 'red' }, now)).toBe('done');
  });

  it('groups the board by state, known states first, unknown ones kept', () => {
    const g = groupByState([
      { state: 'screening' },
      { state: 'closed' },
      { state: 'verified' },
      { state: 'screening' },
    ]);
    expect(Object.keys(g).slice(0, 2)).toEqual(['screening', 'dispatched']);
    expect(g.screening).toHaveLength(2);
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
    // The assessments api's links: api paths turned into console pages.
    expect(
      evidenceLink({
        kind: 'track',
        label: '轨迹 veh-0001',
        href: '/api/tracks/veh-0001?from=2026-11-26T16%3A00%3A00.000Z&to=2026-11-27T16%3A00%3A00.000Z',
      }),
    ).toEqual({
      to: '/playback?device=veh-0001&from=2026-11-26T16%3A00%3A00.000Z&to=2026-11-27T16%3A00%3A00.000Z',
      label: '轨迹 veh-0001',
    });
    expect(evidenceLink({ kind: 'task', label: 't', href: '/api/tasks/t%201' })?.to).toBe(
      '/tasks/t%201/show',
    );
    expect(evidenceLink({ kind: 'work-order', label: 'w', href: '/api/work-orders/w1' })?.to).toBe(
      '/work-orders/w1/show',
    );
    expect(evidenceLink({ kind: 'photo', label: 'p', href: '/api/work-orders/w1/photos/p1' })?.to).toBe(
      '/work-orders/w1/show',
    );
  });
});

describe('KPIs', () => {
  it('reads totals and series, or takes the last bucket as the total', () => {
    // GET /api/kpis of the KPI api: total and series cells carry counters and rates; a rate is null on 0/0.
    const v = normaliseKpis({
      contractId: 'ct-1',
      granularity: 'day',
      total: { counters: {}, rates: { routeCoverageRate: 0.9, attendanceRate: 0.95, woOnTimeRate: null } },
      series: [
        { period: '2026-11-26', from: '2026-11-26', to: '2026-11-26', rates: { routeCoverageRate: 0.8 } },
        { period: '2026-11-27', from: '2026-11-27', to: '2026-11-27', rates: { routeCoverageRate: 0.9 } },
      ],
    });
    expect(v.totals).toEqual({ routeCoverageRate: 0.9, attendanceRate: 0.95 });
    expect(v.series.map((s) => s.date)).toEqual(['2026-11-26', '2026-11-27']);
    expect(v.series[0].routeCoverageRate).toBe(0.8);
    expect(
      normaliseKpis({
        series: [
          { period: 'd1', rates: { vehicleOnlineRate: 0.5 } },
          { period: 'd2', rates: { vehicleOnlineRate: 0.7 } },
        ],
      }).totals,
    ).toEqual({ vehicleOnlineRate: 0.7 });
  });

  it('ranks zones best first and counts by field', () => {
    const r = normaliseRanking({
      metric: 'routeCoverageRate',
      ranking: [
        { rank: 1, zoneId: 'z2', zoneName: '网格 2', value: 0.9, rates: { routeCoverageRate: 0.9 } },
        { rank: 2, zoneId: 'z1', zoneName: '网格 1', value: null, rates: { routeCoverageRate: 0.7 } },
        { rank: 3, zoneId: 'z3', zoneName: 'no data', value: null, rates: {} },
      ],
    });
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
      { kind: 'route', targetIds: ['r1'], metrics: { coverage: 0.5 } },
      { kind: 'route', targetIds: ['r1'], metrics: { coverage: 1 } },
      { kind: 'patrol_rounds', targetIds: ['z1'], metrics: { coverage: 1 } },
      { kind: 'route', targetIds: ['r2'], metrics: {} },
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
