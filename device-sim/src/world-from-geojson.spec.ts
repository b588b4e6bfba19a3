import { booleanPointInPolygon, point, polygon } from '@turf/turf';
import type { FeatureCollection } from 'geojson';
import { decodeMessage } from '@dwg/contracts';
import { createDeviceModel } from './devices';
import { worldFromGeoJSON } from './world';

const fc: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { layer: 'route', id: 'route-01', name: 'R1', passesPerDay: 2, requiredOperation: 'sweep' },
      geometry: {
        type: 'LineString',
        coordinates: [
          [113.27, 23.16],
          [113.275, 23.16],
          [113.275, 23.165],
        ],
      },
    },
    {
      type: 'Feature',
      properties: { layer: 'zone', id: 'z-district', level: 'district' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [113.26, 23.15],
            [113.29, 23.15],
            [113.29, 23.17],
            [113.26, 23.17],
            [113.26, 23.15],
          ],
        ],
      },
    },
    {
      type: 'Feature',
      properties: { layer: 'zone', id: 'z-grid', level: 'grid' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [113.27, 23.16],
            [113.272, 23.16],
            [113.272, 23.162],
            [113.27, 23.162],
            [113.27, 23.16],
          ],
        ],
      },
    },
  ],
};

describe('worldFromGeoJSON (simulators driving the platform’s own routes)', () => {
  const world = worldFromGeoJSON(fc);

  it('takes routes with their passes and operation, and the finest zones', () => {
    expect(world.routes.map((r) => [r.id, r.passes, r.vehicleType, r.legs[0].ops])).toEqual([
      ['route-01', 2, 'sweeper', true],
    ]);
    expect(Math.round(world.routes[0].lengthM / 10)).toBe(Math.round((511 + 556) / 10));
    expect(world.zones.map((z) => z.id)).toEqual(['z-grid']);
  });

  it('drives vehicles along the route and keeps badges inside the zone, with valid protocol records', () => {
    const start = Date.now() - 600_000;
    const veh = createDeviceModel(world, { deviceId: 'veh-1', kind: 'gps' }, 0, {
      seed: 1,
      startTs: start,
      intervalMs: 5000,
    });
    const bdg = createDeviceModel(world, { deviceId: 'bdg-1', kind: 'badge' }, 0, {
      seed: 1,
      startTs: start,
      intervalMs: 30000,
    });
    const zone = polygon([world.zones[0].ring]);
    for (let i = 0; i < 50; i++) {
      const v = veh.next({}) as { lat: number; lng: number };
      expect(v.lng).toBeGreaterThanOrEqual(113.2699);
      expect(v.lng).toBeLessThanOrEqual(113.2751);
      const b = bdg.next({}) as { lat: number; lng: number };
      expect(booleanPointInPolygon(point([b.lng, b.lat]), zone)).toBe(true);
      const d = decodeMessage('dwg/v1/veh-1/gps', Buffer.from(JSON.stringify(v)), {
        receivedAt: new Date(),
        lateAfterMs: 1e12,
      });
      expect(d.rejections).toEqual([]);
    }
  });

  it('refuses a GeoJSON without routes', () => {
    expect(() => worldFromGeoJSON({ type: 'FeatureCollection', features: [fc.features[2]] })).toThrow(
      /no route/,
    );
  });
});
