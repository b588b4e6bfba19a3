import { offset, ORIGIN, square, straightRoute } from '../evidence/test-geometry';
import { generateTasks, taskId } from './generation';
import type { OperationsModel } from './model';
import { shiftWindow } from './service-day';

/** A contract with one of each kind of shift the demo has. */
function model(): OperationsModel {
  const tenant = { contractId: 'c1' };
  const zone = square(ORIGIN, 1000);
  const grid = square(ORIGIN, 500);
  return {
    contracts: [
      {
        _id: 'c1',
        operatorId: 'op1',
        agencyId: 'ag1',
        serviceLines: ['sanitation', 'greening', 'patrol', 'waste_sorting'],
        startDate: '2025-01-01',
        endDate: '2027-12-31',
        rules: { evidence: { coverage: { doneShare: 0.9 } } },
      },
    ],
    zones: [
      { _id: 'z-street', ...tenant, geometry: { type: 'Polygon', coordinates: zone } },
      { _id: 'z-grid', ...tenant, parentId: 'z-street', geometry: { type: 'Polygon', coordinates: grid } },
    ],
    routes: [
      {
        _id: 'r1',
        ...tenant,
        serviceLine: 'sanitation',
        zoneId: 'z-street',
        passesPerDay: 2,
        requiredOperation: 'sweep',
        geometry: { type: 'LineString', coordinates: straightRoute(400) },
      },
    ],
    sites: [
      {
        _id: 's-cp',
        ...tenant,
        kind: 'collection_point',
        zoneId: 'z-grid',
        geometry: { type: 'Point', coordinates: offset(ORIGIN, 100, 100) },
      },
      {
        _id: 's-ck',
        ...tenant,
        kind: 'checkpoint',
        zoneId: 'z-grid',
        geometry: { type: 'Point', coordinates: offset(ORIGIN, 200, 100) },
      },
      {
        _id: 's-green',
        ...tenant,
        kind: 'green_area',
        zoneId: 'z-grid',
        geometry: { type: 'Polygon', coordinates: square(offset(ORIGIN, 50, 50), 40) },
      },
    ],
    teams: [
      { _id: 't-green', ...tenant, serviceLine: 'greening' },
      { _id: 't-patrol', ...tenant, serviceLine: 'patrol' },
    ],
    vehicles: [
      { _id: 'v-sweep', ...tenant, type: 'sweeper' },
      { _id: 'v-truck', ...tenant, type: 'compactor_truck' },
    ],
    workers: [
      { _id: 'w1', ...tenant, teamId: 't-green' },
      { _id: 'w2', ...tenant, teamId: 't-green' },
      { _id: 'w3', ...tenant, teamId: 't-patrol' },
    ],
    devices: [
      { _id: 'veh-1', kind: 'gps', ...tenant, vehicleId: 'v-sweep' },
      { _id: 'veh-2', kind: 'gps', ...tenant, vehicleId: 'v-truck' },
      { _id: 'bdg-1', kind: 'badge', ...tenant, workerId: 'w1' },
      { _id: 'bdg-2', kind: 'badge', ...tenant, workerId: 'w2' },
      { _id: 'bdg-3', kind: 'badge', ...tenant, workerId: 'w3' },
    ],
    shifts: [
      shift('sh-sweep', 'vehicle', 'v-sweep', 'route', 'r1', '05:30', '11:30'),
      shift('sh-truck', 'vehicle', 'v-truck', 'zone', 'z-street', '07:00', '15:00'),
      shift('sh-green', 'team', 't-green', 'zone', 'z-grid', '06:00', '14:00'),
      { ...shift('sh-patrol', 'team', 't-patrol', 'zone', 'z-grid', '22:00', '04:00'), days: [5] },
      { ...shift('sh-weekend', 'team', 't-patrol', 'zone', 'z-grid', '08:00', '12:00'), days: [6, 7] },
    ],
  };
  function shift(
    _id: string,
    assigneeType: 'vehicle' | 'team',
    assigneeId: string,
    targetType: 'zone' | 'route',
    targetId: string,
    start: string,
    end: string,
  ) {
    return {
      _id,
      ...tenant,
      name: _id,
      assigneeType,
      assigneeId,
      targetType,
      targetId,
      days: [1, 2, 3, 4, 5],
      start,
      end,
      validFrom: '2025-01-01',
      graceMinutes: 5,
    };
  }
}

describe('task generation from shifts', () => {
  const day = '2026-11-27'; // a Friday
  const tasks = generateTasks(model(), day);
  const byId = new Map(tasks.map((t) => [t.id, t]));

  it('maps a sweeper on a route to a route task with the route passes and operation, plus an online task', () => {
    const t = byId.get(taskId('sh-sweep', day, 'route'))!;
    expect(t.spec).toEqual({
      type: 'route',
      routeId: 'r1',
      line: straightRoute(400),
      operation: 'sweep',
      passes: 2,
    });
    expect(t.subjects).toEqual(['veh-1']);
    expect(t.serviceLine).toBe('sanitation');
    expect(t.zoneId).toBe('z-street');
    expect([t.windowStart, t.windowEnd]).toEqual(shiftWindow(day, '05:30', '11:30'));
    expect(t.windowStart).toBe(Date.parse('2026-11-26T21:30:00Z'));
    expect(t.options).toEqual({ coverage: { doneShare: 0.9 } });
    expect(byId.get(taskId('sh-sweep', day, 'online'))?.subjects).toEqual(['veh-1']);
  });

  it('maps a compactor truck on a zone to collection rounds with the lift on, over the zone and its children', () => {
    const t = byId.get(taskId('sh-truck', day, 'collection_rounds'))!;
    expect(t.spec).toEqual({
      type: 'sites',
      sites: [{ id: 's-cp', at: offset(ORIGIN, 100, 100) }],
      requireLift: true,
    });
    expect(t.serviceLine).toBe('waste_sorting');
  });

  it('maps a greening team to one area task per green area with a photo required, and a post task per worker', () => {
    const g = byId.get(taskId('sh-green', day, 'greening', 's-green'))!;
    expect(g.spec.type).toBe('area');
    expect(g.photoRequired).toBe(true);
    expect(g.subjects).toEqual(['bdg-1', 'bdg-2']);
    expect(g.subjectKind).toBe('team');
    const posts = tasks.filter((t) => t.shiftId === 'sh-green' && t.kind === 'post');
    expect(posts.map((p) => [p.subjects, p.subjectIds, p.options])).toEqual([
      [['bdg-1'], ['w1'], { coverage: { doneShare: 0.9 }, post: { graceMin: 5 } }],
      [['bdg-2'], ['w2'], { coverage: { doneShare: 0.9 }, post: { graceMin: 5 } }],
    ]);
  });

  it('maps a patrol team to checkpoint rounds; a night shift runs into the next day but belongs to its start day', () => {
    const t = byId.get(taskId('sh-patrol', day, 'patrol_rounds'))!;
    expect(t.spec).toEqual({ type: 'sites', sites: [{ id: 's-ck', at: offset(ORIGIN, 200, 100) }] });
    expect(t.windowEnd - t.windowStart).toBe(6 * 3_600_000);
    expect(new Date(t.windowEnd).toISOString()).toBe('2026-11-27T20:00:00.000Z');
  });

  it('skips shifts not in force on the day (weekday, validity) and covers all four service lines', () => {
    expect(tasks.some((t) => t.shiftId === 'sh-weekend')).toBe(false);
    expect(generateTasks(model(), '2026-11-28').map((t) => t.shiftId)).toEqual(
      expect.arrayContaining(['sh-weekend']),
    );
    expect(generateTasks(model(), '2024-12-31')).toEqual([]);
    expect(new Set(tasks.map((t) => t.serviceLine))).toEqual(
      new Set(['sanitation', 'greening', 'patrol', 'waste_sorting']),
    );
  });

  it('is deterministic: same ids and versions on every run; a changed route changes the version only', () => {
    const again = generateTasks(model(), day);
    expect(again.map((t) => [t.id, t.version])).toEqual(tasks.map((t) => [t.id, t.version]));
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    const m = model();
    m.routes[0].passesPerDay = 3;
    const changed = generateTasks(m, day).find((t) => t.id === taskId('sh-sweep', day, 'route'))!;
    expect(changed.version).not.toBe(byId.get(changed.id)!.version);
  });
});
