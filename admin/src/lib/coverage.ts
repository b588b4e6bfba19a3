/**
 * Colour of a route by today's coverage (0..1): red below half, through amber, to green at the target. A route
 * without a figure yet is drawn neutral blue-grey, never as 0 %.
 */
const STOPS: [number, [number, number, number]][] = [
  [0, [211, 47, 47]],
  [0.5, [245, 124, 0]],
  [0.8, [251, 192, 45]],
  [1, [46, 125, 50]],
];

export const NO_COVERAGE_COLOR = '#607d8b';

export function coverageColor(rate: number | null | undefined, target = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return NO_COVERAGE_COLOR;
  const t = target > 0 ? Math.max(0, Math.min(1, rate / target)) : 1;
  for (let i = 1; i < STOPS.length; i++) {
    const [x1, c1] = STOPS[i];
    const [x0, c0] = STOPS[i - 1];
    if (t <= x1) {
      const f = (t - x0) / (x1 - x0);
      const c = c0.map((v, j) => Math.round(v + (c1[j] - v) * f));
      return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    }
  }
  return '#2e7d32';
}

export function formatRate(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(rate * 100).toFixed(digits)}%`;
}
