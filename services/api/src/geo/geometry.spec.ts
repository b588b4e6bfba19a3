import { lineStringProblems, pointProblems, polygonInside, polygonProblems } from './geometry';

const square = (x = 113.26, y = 23.15, d = 0.01) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});

describe('GeoJSON validation', () => {
  it('accepts a closed, simple polygon', () => {
    expect(polygonProblems(square())).toEqual([]);
  });

  it('refuses an open ring', () => {
    const g = square();
    g.coordinates[0][4] = [113.2601, 23.15];
    expect(polygonProblems(g)).toEqual([
      'geometry.coordinates[0]: ring is not closed (first position must equal the last)',
    ]);
  });

  it('refuses coordinates out of range', () => {
    expect(polygonProblems(square(179.999, 23))).toContain(
      'geometry.coordinates[0][1]: longitude 180.009 is out of range -180..180',
    );
    expect(pointProblems({ type: 'Point', coordinates: [113, 91] })).toEqual([
      'geometry.coordinates: latitude 91 is out of range -90..90',
    ]);
  });

  it('refuses a self-intersecting (bow-tie) polygon', () => {
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 1],
          [1, 0],
          [0, 1],
          [0, 0],
        ],
      ],
    };
    expect(polygonProblems(bowtie)[0]).toMatch(/^geometry intersects itself near \[0\.5/);
  });

  it('refuses the wrong type, too few positions and unknown members', () => {
    expect(polygonProblems({ type: 'LineString', coordinates: [] })).toEqual([
      'geometry.type must be "Polygon"',
    ]);
    expect(lineStringProblems({ type: 'LineString', coordinates: [[1, 1]] })).toEqual([
      'geometry needs at least 2 positions',
    ]);
    expect(pointProblems({ type: 'Point', coordinates: [1, 1], crs: 'x' })).toEqual([
      'geometry has unknown members: crs',
    ]);
  });

  it('tells whether a zone lies inside its parent, borders included', () => {
    expect(polygonInside(square(113.26, 23.15, 0.005) as never, square() as never)).toBe(true);
    expect(polygonInside(square(113.265, 23.15, 0.01) as never, square() as never)).toBe(false);
  });
});
