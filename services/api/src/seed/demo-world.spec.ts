import type { Point, Polygon } from 'geojson';
import {
  lineStringProblems,
  pointInside,
  pointProblems,
  polygonInside,
  polygonProblems,
} from '../geo/geometry';
import { shiftTimeProblems } from '../resources/shift-rules';
import { userTenantProblems } from '../resources/rules';
import { buildDemo, demoDeviceSecret } from './demo-world';

describe('demo world', () => {
  const d = buildDemo();

  it('is deterministic', () => {
    expect(JSON.stringify(buildDemo())).toBe(JSON.stringify(d));
    expect(demoDeviceSecret('veh-0001')).toBe(demoDeviceSecret('veh-0001'));
    expect(demoDeviceSecret('veh-0001')).not.toBe(demoDeviceSecret('veh-0002'));
  });

  it('has the sizes the issue asks for', () => {
    expect(d.agencies).toHaveLength(2);
    expect(d.operators).toHaveLength(2);
    expect(d.contracts).toHaveLength(4);
    expect(new Set(d.contracts.flatMap((c) => c.serviceLines as string[]))).toEqual(
      new Set(['sanitation', 'greening', 'patrol', 'waste_sorting']),
    );
    expect(d.zones.length).toBeGreaterThanOrEqual(18);
    expect(d.zones.length).toBeLessThanOrEqual(25);
    expect(new Set(d.zones.map((z) => z.level))).toEqual(
      new Set(['district', 'street', 'community', 'grid']),
    );
    expect(d.sites.filter((s) => s.kind === 'collection_point')).toHaveLength(60);
    expect(d.sites.filter((s) => s.kind === 'checkpoint')).toHaveLength(40);
    expect(d.sites.filter((s) => s.kind === 'green_area')).toHaveLength(30);
    expect(d.vehicles).toHaveLength(50);
    expect(d.workers).toHaveLength(300);
    expect(d.devices).toHaveLength(350);
    expect(d.routes.filter((r) => r.requiredOperation === 'sweep').length).toBeGreaterThan(0);
    // a user per role per tenant: admin, 3 per operator, 1 per agency
    expect(d.users.map((u) => `${u.role}@${u.tenant}`).sort()).toEqual(
      [
        'admin@platform',
        'dispatcher@lvhua',
        'dispatcher@yuncheng',
        'field_worker@lvhua',
        'field_worker@yuncheng',
        'gov_reviewer@baiyun-cg',
        'gov_reviewer@jingtai',
        'operator_manager@lvhua',
        'operator_manager@yuncheng',
      ].sort(),
    );
  });

  it('passes the same validation rules as the api', () => {
    const byId = new Map(d.zones.map((z) => [z._id, z]));
    for (const z of d.zones) {
      expect(polygonProblems(z.geometry)).toEqual([]);
      if (z.parentId) {
        const parent = byId.get(String(z.parentId))!;
        expect(parent.contractId).toBe(z.contractId);
        expect(polygonInside(z.geometry as Polygon, parent.geometry as Polygon)).toBe(true);
      }
    }
    for (const r of d.routes) expect(lineStringProblems(r.geometry)).toEqual([]);
    for (const s of d.sites) {
      const zone = byId.get(String(s.zoneId))!;
      expect(zone.contractId).toBe(s.contractId);
      if (s.kind === 'green_area') {
        expect(polygonProblems(s.geometry)).toEqual([]);
        expect(polygonInside(s.geometry as Polygon, zone.geometry as Polygon)).toBe(true);
      } else {
        expect(pointProblems(s.geometry)).toEqual([]);
        expect(pointInside(s.geometry as Point, zone.geometry as Polygon)).toBe(true);
      }
    }
    const contract = new Map(
      d.contracts.map((c) => [c._id, c as unknown as { startDate: string; endDate: string }]),
    );
    for (const s of d.shifts)
      expect(shiftTimeProblems(s as never, contract.get(String(s.contractId))!)).toEqual([]);
    for (const u of d.users) expect(userTenantProblems(u)).toEqual([]);
  });

  it('keeps every reference inside its contract', () => {
    const all = new Map(
      [...d.zones, ...d.routes, ...d.teams, ...d.vehicles, ...d.workers].map((x) => [x._id, x]),
    );
    const refs = [
      ...d.shifts.flatMap((s) => [
        [s, s.assigneeId],
        [s, s.targetId],
      ]),
      ...d.workers.map((w) => [w, w.teamId]),
      ...d.vehicles.map((v) => [v, v.teamId]),
      ...d.devices.map((x) => [x, x.vehicleId ?? x.workerId]),
    ] as [Record<string, unknown>, string][];
    for (const [from, to] of refs) expect(all.get(to)?.contractId).toBe(from.contractId);
    expect(new Set(d.vehicles.map((v) => v.plate)).size).toBe(50);
  });
});
