/**
 * Today's coverage per route, from today's tasks (`GET /api/tasks?filter={serviceDay}`): a route's figure is the
 * mean coverage of its tasks (several shifts may sweep one route).
 */
export function serviceDayOf(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function coverageByRoute(tasks: Record<string, unknown>[]): Map<string, number> {
  const sums = new Map<string, { s: number; n: number }>();
  for (const task of tasks) {
    if (task.targetType !== 'route' || typeof task.targetId !== 'string') continue;
    const ev = (task.evidence ?? task.evidenceSummary ?? {}) as Record<string, unknown>;
    const v = [task.coverageRate, ev.coverageRate, ev.coverage, task.progress].find(
      (x): x is number => typeof x === 'number' && Number.isFinite(x),
    );
    if (v === undefined) continue;
    const cur = sums.get(task.targetId) ?? { s: 0, n: 0 };
    cur.s += v;
    cur.n += 1;
    sums.set(task.targetId, cur);
  }
  return new Map([...sums].map(([k, { s, n }]) => [k, s / n]));
}
