import { DATE_RE, TIME_RE } from './model';

/** Longest shift the model accepts. */
export const MAX_SHIFT_MINUTES = 12 * 60;

export interface ShiftTimes {
  days: number[];
  start: string;
  end: string;
  validFrom: string;
  validTo?: string;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function isRealDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Shift length in minutes; a shift whose end is before its start runs past midnight. */
export function shiftMinutes(start: string, end: string): number {
  const d = minutes(end) - minutes(start);
  return d > 0 ? d : d + 24 * 60;
}

/** Problems with a shift's times within its contract's period (empty = it makes sense). */
export function shiftTimeProblems(s: ShiftTimes, contract: { startDate: string; endDate: string }): string[] {
  const out: string[] = [];
  if (!TIME_RE.test(s.start)) out.push(`start "${s.start}" must be a time HH:mm (00:00-23:59)`);
  if (!TIME_RE.test(s.end)) out.push(`end "${s.end}" must be a time HH:mm (00:00-23:59)`);
  if (out.length === 0) {
    if (s.start === s.end) out.push('a shift cannot start and end at the same time');
    else {
      const len = shiftMinutes(s.start, s.end);
      if (len > MAX_SHIFT_MINUTES)
        out.push(
          `a shift may last at most ${MAX_SHIFT_MINUTES / 60} hours; ${s.start}-${s.end} lasts ${Math.floor(len / 60)}h${String(len % 60).padStart(2, '0')}`,
        );
    }
  }
  if (s.days.length === 0) out.push('days must name at least one weekday (1 = Monday ... 7 = Sunday)');
  if (new Set(s.days).size !== s.days.length) out.push('days must not repeat a weekday');
  if (!isRealDate(s.validFrom)) out.push(`validFrom "${s.validFrom}" must be a date YYYY-MM-DD`);
  if (s.validTo !== undefined && !isRealDate(s.validTo))
    out.push(`validTo "${s.validTo}" must be a date YYYY-MM-DD`);
  if (out.length) return out;
  if (s.validTo !== undefined && s.validTo < s.validFrom)
    out.push(`validTo ${s.validTo} is before validFrom ${s.validFrom}`);
  if (s.validFrom < contract.startDate || s.validFrom > contract.endDate)
    out.push(
      `validFrom ${s.validFrom} is outside the contract period ${contract.startDate}..${contract.endDate}`,
    );
  if (s.validTo !== undefined && s.validTo > contract.endDate)
    out.push(`validTo ${s.validTo} is after the contract ends (${contract.endDate})`);
  return out;
}

/** Problems with a contract's period. */
export function periodProblems(startDate: string, endDate: string): string[] {
  const out: string[] = [];
  if (!isRealDate(startDate)) out.push(`startDate "${startDate}" must be a date YYYY-MM-DD`);
  if (!isRealDate(endDate)) out.push(`endDate "${endDate}" must be a date YYYY-MM-DD`);
  if (out.length === 0 && endDate <= startDate)
    out.push(`endDate ${endDate} must be after startDate ${startDate}`);
  return out;
}
