import type { Polygon } from 'geojson';
import { placePoint } from './placement';

const box = (w: number, s: number, d: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [w + d, s],
      [w + d, s + d],
      [w, s + d],
      [w, s],
    ],
  ],
});

describe('placing a report', () => {
  const zones = [
    { _id: 'street', contractId: 'c1', level: 'street', geometry: box(113.25, 23.15, 0.01) },
    { _id: 'grid', contractId: 'c1', level: 'grid', parentId: 'street', geometry: box(113.25, 23.15, 0.005) },
  ];
  it('picks the deepest zone and lists its ancestors', () => {
    expect(placePoint({ lng: 113.252, lat: 23.152 }, zones)).toMatchObject({
      zone: { _id: 'grid' },
      chain: ['grid', 'street'],
    });
    expect(placePoint({ lng: 113.258, lat: 23.158 }, zones)?.chain).toEqual(['street']);
  });
  it('finds nothing outside every zone', () => {
    expect(placePoint({ lng: 114, lat: 23 }, zones)).toBeNull();
  });
});
