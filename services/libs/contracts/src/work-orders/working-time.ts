/**
 * Working-time arithmetic of a contract's calendar: deadlines count only working hours on working days, skip
 * holidays and pauses (a typhoon warning declared by a dispatcher). Pure functions over epoch milliseconds.
 */
export interface CalendarPause {
  id: string;
  reason: string;
  from: string;
  /** Null while the pause lasts: no deadline can be computed past its start until it ends. */
  to: string | null;
}

export interface WorkCalendar {
  /** Minutes east of UTC of the calendar's local time (Asia/Shanghai: 480). */
  utcOffsetMin: number;
  /** ISO weekdays that are working days (1 = Monday … 7 = Sunday). */
  workDays: number[];
  /** Daily working hours, local "HH:MM"; start "00:00" and end "24:00" for round the clock. */
  start: string;
  end: string;
  /** Local dates (YYYY-MM-DD) that are not worked. */
  holidays: string[];
  /** Local dates worked although their weekday is not (调休 make-up days). */
  extraWorkdays: string[];
  pauses: CalendarPause[];
  /** Per-category deadline overrides in working minutes. */
  deadlines: Record<string, { dueMin: number; redMin: number }>;
}

export const DEFAULT_CALENDAR: WorkCalendar = {
  utcOffsetMin: 480,
  workDays: [1, 2, 3, 4, 5, 6, 7],
  start: '07:00',
  end: '19:00',
  holidays: [],
  extraWorkdays: [],
  pauses: [],
  deadlines: {},
};

const DAY = 86_400_000;
const MAX_DAYS = 3 * 366;

export function hhmmToMin(s: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Problems with a calendar, for a 400. */
export function calendarProblems(c: WorkCalendar): string[] {
  const p: string[] = [];
  const s = hhmmToMin(c.start);
  const e = hhmmToMin(c.end);
  if (!(s >= 0 && s < 1440)) p.push('start must be HH:MM between 00:00 and 23:59');
  if (!(e > 0 && e <= 1440)) p.push('end must be HH:MM between 00:01 and 24:00');
  if (s >= e) p.push('start must be before end');
  if (!c.workDays.length || c.workDays.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    p.push('workDays must list ISO weekdays 1 (Monday) to 7 (Sunday)');
  for (const d of [...c.holidays, ...c.extraWorkdays])
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) p.push(`"${d}" is not a YYYY-MM-DD date`);
  for (const [k, v] of Object.entries(c.deadlines))
    if (!(v.dueMin > 0 && v.redMin > v.dueMin))
      p.push(`deadlines.${k}: dueMin must be > 0 and redMin greater than dueMin`);
  for (const x of c.pauses)
    if (Number.isNaN(Date.parse(x.from)) || (x.to !== null && !(Date.parse(x.to) > Date.parse(x.from))))
      p.push(`pause ${x.id}: from must be a date and to after it`);
  return p;
}

/** Working intervals of one local day (epoch ms), before pauses. */
function dayInterval(c: WorkCalendar, dayStartUtc: number, localDate: string): [number, number] | null {
  const weekday = ((new Date(dayStartUtc + c.utcOffsetMin * 60_000).getUTCDay() + 6) % 7) + 1;
  const worked =
    !c.holidays.includes(localDate) && (c.workDays.includes(weekday) || c.extraWorkdays.includes(localDate));
  if (!worked) return null;
  return [dayStartUtc + hhmmToMin(c.start) * 60_000, dayStartUtc + hhmmToMin(c.end) * 60_000];
}

/** Subtracts pauses from an interval; an open pause cuts everything after its start. */
function minusPauses(
  c: WorkCalendar,
  [a, b]: [number, number],
): { parts: [number, number][]; blocked: boolean } {
  let parts: [number, number][] = [[a, b]];
  let blocked = false;
  for (const p of c.pauses) {
    const pf = Date.parse(p.from);
    const pt = p.to === null ? Infinity : Date.parse(p.to);
    const next: [number, number][] = [];
    for (const [x, y] of parts) {
      if (pt <= x || pf >= y) {
        next.push([x, y]);
        continue;
      }
      if (pf > x) next.push([x, pf]);
      if (pt < y) next.push([pt, y]);
      if (pt === Infinity) blocked = true;
    }
    parts = next;
  }
  // An open pause that started before this interval blocks it too.
  if (c.pauses.some((p) => p.to === null && Date.parse(p.from) <= b)) blocked = true;
  return { parts: parts.sort((u, v) => u[0] - v[0]), blocked };
}

function localDateOf(c: WorkCalendar, t: number): string {
  return new Date(t + c.utcOffsetMin * 60_000).toISOString().slice(0, 10);
}

/**
 * The instant at which `ms` of working time has passed after `start`. Null when an open pause stands in the
 * way (the deadline is unknown until the pause ends) or no working time exists within three years.
 */
export function addWorkingTime(start: number, ms: number, c: WorkCalendar): number | null {
  let left = ms;
  const offset = c.utcOffsetMin * 60_000;
  let dayStart = Math.floor((start + offset) / DAY) * DAY - offset;
  for (let i = 0; i < MAX_DAYS; i++, dayStart += DAY) {
    const iv = dayInterval(c, dayStart, localDateOf(c, dayStart));
    if (!iv) continue;
    const clipped: [number, number] = [Math.max(iv[0], start), iv[1]];
    if (clipped[0] >= clipped[1]) continue;
    const { parts, blocked } = minusPauses(c, clipped);
    for (const [x, y] of parts) {
      if (y - x >= left) return x + left;
      left -= y - x;
    }
    if (blocked) return null;
  }
  return null;
}

/** Working time between two instants (for reporting how long handling took in working terms). */
export function workingTimeBetween(a: number, b: number, c: WorkCalendar): number {
  if (b <= a) return 0;
  const offset = c.utcOffsetMin * 60_000;
  let total = 0;
  for (let dayStart = Math.floor((a + offset) / DAY) * DAY - offset; dayStart < b; dayStart += DAY) {
    const iv = dayInterval(c, dayStart, localDateOf(c, dayStart));
    if (!iv) continue;
    const clipped: [number, number] = [Math.max(iv[0], a), Math.min(iv[1], b)];
    if (clipped[0] >= clipped[1]) continue;
    for (const [x, y] of minusPauses(c, clipped).parts) total += y - x;
  }
  return total;
}

export interface Deadlines {
  dueAt: string | null;
  redAt: string | null;
}

/** Both deadlines of an order dispatched at `from` in a category, with the calendar's overrides. */
export function computeDeadlines(
  from: string,
  category: { code: string; dueMin: number; redMin: number },
  c: WorkCalendar,
): Deadlines {
  const d = c.deadlines[category.code] ?? { dueMin: category.dueMin, redMin: category.redMin };
  const t = Date.parse(from);
  const due = addWorkingTime(t, d.dueMin * 60_000, c);
  const red = addWorkingTime(t, d.redMin * 60_000, c);
  return {
    dueAt: due === null ? null : new Date(due).toISOString(),
    redAt: red === null ? null : new Date(red).toISOString(),
  };
}
