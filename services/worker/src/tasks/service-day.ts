/** Service days are local dates in Asia/Shanghai (UTC+8, no daylight saving). */
const OFFSET_MS = 8 * 3_600_000;

export function serviceDay(ts: number): string {
  return new Date(ts + OFFSET_MS).toISOString().slice(0, 10);
}

/** Epoch ms of a local time HH:mm on a service day. */
export function localTime(day: string, hhmm: string): number {
  return Date.parse(`${day}T${hhmm}:00+08:00`);
}

/** ISO weekday of a service day: 1 = Monday … 7 = Sunday. */
export function isoWeekday(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** [start, end) of a shift on a day; an end before the start runs past midnight into the next day. */
export function shiftWindow(day: string, start: string, end: string): [number, number] {
  const a = localTime(day, start);
  let b = localTime(day, end);
  if (b <= a) b += 86_400_000;
  return [a, b];
}
