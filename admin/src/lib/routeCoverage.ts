/**
 * Today's coverage per route, from today's tasks (`GET /api/tasks?filter={"day":…}`): a route task (`kind: route`)
 * names its route in `targetIds` and carries `metrics.coverage` (0–1); a route's figure is the mean over its tasks
 * (several shifts may sweep one route).
 */
export function serviceDayOf(t: number): string {
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function coverageByRoute(tasks: Record<string, unknown>[]): Map<string, number> {
  const sums = new Map<string, { s: number; n: number }>();
  for (const task of tasks) {
    if (task.kind !== 'route' || !Array.isArray(task.targetIds)) continue;
    const v = (task.metrics as { coverage?: unknown } | undefined)?.coverage;
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    for (const routeId of task.targetIds as unknown[]) {
      if (typeof routeId !== 'string') continue;
      const cur = sums.get(routeId) ?? { s: 0, n: 0 };
      cur.s += v;
      cur.n += 1;
      sums.set(routeId, cur);
    }
  }
  return new Map([...sums].map(([k, { s, n }]) => [k, s / n]));
}
