import type { TaskChanged, TaskStatus } from '@dwg/contracts';
import type { EvidenceSummary } from '../evidence';

/** What the lifecycle needs of a task besides its evidence summary. */
export interface LifecycleTask {
  windowStart: number;
  windowEnd: number;
  photoRequired?: boolean;
  photoIds?: string[];
}

export interface TaskState {
  status: TaskStatus;
  /** The window has ended: the status is the task's result (a late batch may still correct it). */
  final: boolean;
  /** When completion was first seen (kept from the previous state). */
  completedAt: number | null;
  onTime: boolean | null;
  metrics: TaskChanged['metrics'];
}

const MIN = 60_000;
const round = (v: number, step = 1) => Math.round(v / step) * step;

/** The metrics the KPIs need, from an evidence summary. */
export function metricsOf(t: LifecycleTask, s: EvidenceSummary): TaskChanged['metrics'] {
  switch (s.type) {
    case 'route':
      return { routeLengthM: round(s.lengthM), coveredLengthM: round(s.coveredM), coverage: s.coverage };
    case 'sites':
      return { sitesRequired: s.sites, sitesVisited: s.sitesDone };
    case 'area':
      return { presenceMin: round(s.presentMs / MIN, 0.1) };
    case 'post':
      return {
        attended: s.attendance === 'on_time',
        shiftMin: round((t.windowEnd - t.windowStart) / MIN),
        onPostMin: round(s.onPostMs / MIN, 0.1),
        offPostEpisodes: s.offPost.length,
        // Reported during the shift, wherever it was: a badge seen only outside the zone, briefly, still counts.
        reported: s.arrivedAt !== null || s.seen,
      };
    case 'online': {
      const shiftMin = (t.windowEnd - t.windowStart) / MIN;
      return {
        reported: s.firstAt !== null,
        shiftMin: round(shiftMin),
        onlineMin: round(s.reportingShare * Math.min(shiftMin, Math.max(0, elapsedMin(t, s))), 0.1),
      };
    }
  }
}

function elapsedMin(t: LifecycleTask, s: EvidenceSummary & { type: 'online' }): number {
  // The online summary's share is of the slots elapsed so far; its `done` says the window ended.
  return s.done ? (t.windowEnd - t.windowStart) / MIN : ((s.lastAt ?? t.windowStart) - t.windowStart) / MIN;
}

/** Whether the work is done: coverage, every site, presence (and the photo when one is required). */
function isDone(t: LifecycleTask, s: EvidenceSummary, ended: boolean): boolean {
  switch (s.type) {
    case 'route':
    case 'sites':
      return s.done;
    case 'area':
      return s.done && (!t.photoRequired || (t.photoIds?.length ?? 0) > 0);
    case 'post':
      // A shift is judged at its end: on time, and never off post longer than the threshold.
      return ended && s.attendance === 'on_time' && s.offPost.length === 0;
    case 'online':
      return ended && s.firstAt !== null;
  }
}

function hasProgress(s: EvidenceSummary): boolean {
  switch (s.type) {
    case 'route':
      return s.touchedM > 0;
    case 'sites':
      return s.detail.some((d) => d.visits > 0);
    case 'area':
      return s.presentMs > 0;
    case 'post':
      return s.arrivedAt !== null || s.onPostMs > 0;
    case 'online':
      return s.firstAt !== null;
  }
}

/**
 * pending → in_progress (first evidence) → completed as soon as the work is done (route, sites, area) or at
 * the window's end; at the end, partial with some progress and missed without any. Evidence only grows, so a
 * late batch can move a final partial to completed but never a completed task back.
 */
export function taskState(
  t: LifecycleTask,
  s: EvidenceSummary,
  hasEvidence: boolean,
  asOf: number,
  prev?: Pick<TaskState, 'completedAt'>,
): TaskState {
  const ended = asOf >= t.windowEnd;
  const metrics = metricsOf(t, s);
  if (isDone(t, s, ended)) {
    const completedAt = prev?.completedAt ?? Math.min(asOf, t.windowEnd);
    return { status: 'completed', final: ended, completedAt, onTime: completedAt <= t.windowEnd, metrics };
  }
  const progress = hasProgress(s);
  const status: TaskStatus = ended
    ? progress
      ? 'partial'
      : 'missed'
    : hasEvidence || progress
      ? 'in_progress'
      : 'pending';
  return { status, final: ended, completedAt: null, onTime: ended ? false : null, metrics };
}

/**
 * The part of a state whose change is published (TaskChanged with a new rev). Minutes that grow while a shift
 * runs are left out until the task is final, so an active task publishes on real changes, not every minute.
 */
export function publishedFingerprint(st: TaskState): string {
  const m = st.metrics;
  const live = st.final
    ? m
    : {
        coverage: m.coverage === undefined ? undefined : round(m.coverage, 0.01),
        sitesVisited: m.sitesVisited,
        attended: m.attended,
        offPostEpisodes: m.offPostEpisodes,
        reported: m.reported,
      };
  return JSON.stringify([st.status, st.final, st.onTime, live]);
}
