import {
  computeDeductions,
  contentHash,
  DEFAULT_RULES,
  parseRules,
  score,
  type Contribution,
} from './assessment.rules';

const key = (day: string) => ({
  tenantId: 't',
  contractId: 'c',
  zoneId: 'z',
  serviceLine: 'sanitation' as const,
  day,
});
const task = (id: string, vec: Contribution['vec']): Contribution => ({
  kind: 'task',
  entityId: id,
  key: key('2026-10-05'),
  vec,
  ref: { deviceIds: ['d1'], windowStart: 'a', windowEnd: 'b' },
});

describe('assessment rules', () => {
  it('deducts per absent worker-shift and per km not covered, with evidence links', () => {
    const ds = computeDeductions(DEFAULT_RULES, [
      task('p1', { postShifts: 1, postAttended: 0 }),
      task('p2', { postShifts: 1, postAttended: 1 }),
      task('r1', { routeRequiredM: 12_000, routeCoveredM: 9_000 }),
    ]);
    expect(ds.map((d) => [d.ruleId, d.entityId, d.quantity, d.points])).toEqual([
      ['route_uncovered', 'r1', 3, 1.5],
      ['absent_worker_shift', 'p1', 1, 0.2],
    ]);
    expect(ds[1].evidence.map((e) => e.href)).toEqual(['/api/tasks/p1', '/api/tracks/d1?from=a&to=b&raw=1']);
    expect(score(DEFAULT_RULES, ds)).toMatchObject({ totalDeduction: 1.7, score: 98.3 });
  });

  it('caps a rule’s subtotal and waives accepted appeals', () => {
    const many = Array.from({ length: 150 }, (_, i) => task(`p${i}`, { postShifts: 1, postAttended: 0 }));
    const ds = computeDeductions(DEFAULT_RULES, many);
    expect(score(DEFAULT_RULES, ds).totalDeduction).toBe(20); // 150 × 0.2 = 30, capped at 20
    const few = computeDeductions(DEFAULT_RULES, many.slice(0, 2));
    few[0].appeal = {
      status: 'accepted',
      comment: 'c',
      by: 'm',
      at: '',
      reviewComment: null,
      reviewedBy: 'r',
      reviewedAt: '',
    };
    expect(score(DEFAULT_RULES, few).score).toBe(99.8);
    // A recomputation keeps the appeal by deduction id.
    expect(computeDeductions(DEFAULT_RULES, many.slice(0, 2), few)[0].appeal?.status).toBe('accepted');
  });

  it('validates a contract’s rule set and fills in the defaults', () => {
    expect(() => parseRules({ rules: [{ id: 'x' }] })).toThrow('rules[0].id must be one of');
    expect(() => parseRules({ rules: [{ id: 'red_card_work_order', points: -1 }] })).toThrow('points');
    const r = parseRules({ rules: [{ id: 'red_card_work_order', points: 2, cap: null }] });
    expect(r.find((x) => x.id === 'red_card_work_order')).toMatchObject({ points: 2, cap: null });
    expect(r).toHaveLength(DEFAULT_RULES.length);
  });

  it('hashes content independently of key order', () => {
    expect(contentHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(contentHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
  });
});
