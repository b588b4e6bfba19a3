import { changedFields, cleanFilter, listQuery, toFormData, totalOf } from './dataProvider';

describe('simple-REST list parameters', () => {
  it('turns page, sort and filter into range/sort/filter JSON', () => {
    const q = listQuery({
      pagination: { page: 3, perPage: 25 },
      sort: { field: 'plate', order: 'desc' },
      filter: { contractId: 'c1', q: '', teamId: undefined, id: ['a', 'b'] },
    });
    expect(JSON.parse(q.range)).toEqual([50, 74]);
    expect(JSON.parse(q.sort)).toEqual(['plate', 'DESC']);
    expect(JSON.parse(q.filter)).toEqual({ contractId: 'c1', id: ['a', 'b'] });
  });

  it('drops empty filter values', () => {
    expect(cleanFilter({ a: '', b: null, c: [], d: 0, e: false, f: 'x' })).toEqual({
      d: 0,
      e: false,
      f: 'x',
    });
  });

  it('reads the total from Content-Range', () => {
    expect(totalOf('vehicles 0-24/50', 25)).toBe(50);
    expect(totalOf('vehicles 0-0/0', 7)).toBe(0);
    expect(totalOf('vehicles 0-24/*', 25)).toBe(25);
    expect(totalOf(null, 3)).toBe(3);
  });
});

describe('updates send what changed', () => {
  it('leaves out unchanged and id, turns a cleared field into null', () => {
    const prev = { id: 'v1', plate: 'A1', teamId: 't1', model: 'X', lengthM: 10 };
    const next = { id: 'v1', plate: 'A2', teamId: '', model: 'X', lengthM: 10 };
    expect(changedFields(next, prev)).toEqual({ plate: 'A2', teamId: null });
  });

  it('compares objects by value (geometry)', () => {
    const g = { type: 'Point', coordinates: [113.2, 23.1] };
    expect(changedFields({ geometry: { ...g } }, { geometry: g })).toEqual({});
    expect(
      changedFields({ geometry: { type: 'Point', coordinates: [113.3, 23.1] } }, { geometry: g }),
    ).toEqual({
      geometry: { type: 'Point', coordinates: [113.3, 23.1] },
    });
  });
});

describe('multipart bodies for photos', () => {
  it('puts files under their field and objects as JSON', async () => {
    const file = new Blob(['jpeg'], { type: 'image/jpeg' });
    const fd = toFormData({
      description: '垃圾满溢',
      lng: 113.27,
      location: { lng: 113.27, lat: 23.16 },
      photos: [
        { rawFile: file, title: 'a.jpg' },
        { rawFile: file, title: 'b.jpg' },
      ],
      none: null,
    });
    expect(fd.get('description')).toBe('垃圾满溢');
    expect(fd.get('lng')).toBe('113.27');
    expect(JSON.parse(String(fd.get('location')))).toEqual({ lng: 113.27, lat: 23.16 });
    expect(fd.getAll('photos')).toHaveLength(2);
    expect(fd.has('none')).toBe(false);
  });
});
