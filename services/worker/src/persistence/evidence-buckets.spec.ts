import { bucketOf, bucketUpdate, keyOf, partOf, taskIdOf, type BucketDoc } from './evidence-buckets';

describe('evidence bucket layout', () => {
  it('escapes task ids into field names and back', () => {
    for (const id of ['shift-1.2026-11-27.route', '50%.$x', 'plain']) {
      const k = keyOf(id);
      expect(k).not.toMatch(/[.$]/);
      expect(taskIdOf(k)).toBe(id);
    }
    expect(bucketOf('shift-1.2026-11-27.route', 16)).toBe(bucketOf('shift-1.2026-11-27.route', 16));
    const spread = new Set(Array.from({ length: 200 }, (_, i) => bucketOf(`t${i}.d.route`, 16)));
    expect(spread.size).toBe(16);
  });

  it('stores per-cell sets by minute and reads them back in the engine shape', () => {
    const u = bucketUpdate(
      '2026-11-27',
      [
        {
          taskId: 'a.b',
          day: '2026-11-27',
          type: 'route',
          add: { 'cells.c3': [100, 101], 'cells.c4': [100], slots: [7] },
          min: { firstTs: 5 },
          max: { lastTs: 9 },
        },
      ],
      1,
    );
    expect(u.$addToSet).toEqual({
      't.a%2Eb.cells:c.m100': { $each: [3, 4] },
      't.a%2Eb.cells:c.m101': { $each: [3] },
      't.a%2Eb.slots': { $each: [7] },
    });
    expect(u.$min).toEqual({ 't.a%2Eb.firstTs': 5 });
    expect(u.$max).toEqual({ touchedAt: 1, 't.a%2Eb.touchedAt': 1, 't.a%2Eb.lastTs': 9 });
    expect(u.$inc).toEqual({ 't.a%2Eb.rev': 1 });

    const bucket: BucketDoc = {
      _id: 'b001',
      day: '2026-11-27',
      t: {
        'a%2Eb': {
          type: 'route',
          rev: 2,
          'cells:c': { m101: [3], m100: [4, 3] },
          slots: [9, 7],
          firstTs: 5,
        },
      },
    };
    expect(partOf(bucket, 'a.b')).toEqual({
      _id: 'a.b',
      taskId: 'a.b',
      day: '2026-11-27',
      type: 'route',
      rev: 2,
      cells: { c3: [100, 101], c4: [100] },
      slots: [7, 9],
      firstTs: 5,
    });
    expect(partOf(bucket, 'other')).toBeUndefined();
  });
});
