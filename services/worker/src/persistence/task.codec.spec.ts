import { straightRoute, square, ORIGIN } from '../evidence/test-geometry';
import type { EvidenceTask } from '../evidence';
import { encodeNested, fromTaskDoc, toTaskDoc } from './task.codec';

describe('task documents', () => {
  const tasks: EvidenceTask[] = [
    {
      id: 'a',
      day: 'd',
      windowStart: 1,
      windowEnd: 2,
      subjects: ['x'],
      spec: { type: 'route', routeId: 'r', line: straightRoute(100), operation: 'sweep', passes: 2 },
    },
    {
      id: 'b',
      day: 'd',
      windowStart: 1,
      windowEnd: 2,
      subjects: ['y'],
      spec: { type: 'post', zone: square(ORIGIN, 50) },
      options: { post: { graceMin: 5 } },
    },
    {
      id: 'c',
      day: 'd',
      windowStart: 1,
      windowEnd: 2,
      subjects: ['z'],
      spec: { type: 'sites', sites: [{ id: 's', at: ORIGIN }] },
    },
  ];

  it('stores no array directly inside an array (FerretDB v1) and reads back the same task', () => {
    const hasNested = (v: unknown): boolean =>
      Array.isArray(v)
        ? v.some((x) => Array.isArray(x) || hasNested(x))
        : !!v && typeof v === 'object' && Object.values(v).some(hasNested);
    for (const t of tasks) {
      const doc = toTaskDoc(t);
      expect(hasNested(doc)).toBe(false);
      expect(fromTaskDoc(JSON.parse(JSON.stringify(doc)))).toEqual(t);
    }
    expect(encodeNested([1, 2])).toEqual([1, 2]);
  });
});
