import { DeltaBuilder } from './delta';
import { resolveOptions } from './options';
import { acceptAreaPoint, compileArea, summarizeArea, type AreaSummary, type CompiledArea } from './area';
import {
  acceptOnlinePoint,
  compileOnline,
  summarizeOnline,
  type CompiledOnline,
  type OnlineSummary,
} from './online';
import { acceptPostPoint, compilePost, summarizePost, type CompiledPost, type PostSummary } from './post';
import {
  acceptRoutePoint,
  compileRoute,
  summarizeRoute,
  type CompiledRoute,
  type RouteSummary,
} from './route-coverage';
import {
  acceptSitePoint,
  compileSites,
  summarizeSites,
  type CompiledSites,
  type SitesSummary,
} from './sites';
import type {
  AreaSpec,
  EvidenceDelta,
  EvidenceDoc,
  EvidenceOptionsInput,
  EvidencePoint,
  EvidenceTask,
  OnlineSpec,
  PostSpec,
  RouteSpec,
  SitesSpec,
} from './types';

export type CompiledTask =
  | { task: EvidenceTask<RouteSpec>; kind: 'route'; c: CompiledRoute; from: number; to: number }
  | { task: EvidenceTask<SitesSpec>; kind: 'sites'; c: CompiledSites; from: number; to: number }
  | { task: EvidenceTask<AreaSpec>; kind: 'area'; c: CompiledArea; from: number; to: number }
  | { task: EvidenceTask<PostSpec>; kind: 'post'; c: CompiledPost; from: number; to: number }
  | { task: EvidenceTask<OnlineSpec>; kind: 'online'; c: CompiledOnline; from: number; to: number };

export type EvidenceSummary = RouteSummary | SitesSummary | AreaSummary | PostSummary | OnlineSummary;

/**
 * Precomputes a task's geometry and thresholds. [from, to) is the span of record times that can count: the
 * window, plus the early arrival margin for a shift.
 */
export function compileTask(task: EvidenceTask, contractOptions?: EvidenceOptionsInput): CompiledTask {
  const opts = resolveOptions(contractOptions, task.options);
  const from = task.windowStart;
  const to = task.windowEnd;
  const s = task.spec;
  switch (s.type) {
    case 'route':
      return { task: task as EvidenceTask<RouteSpec>, kind: 'route', c: compileRoute(s, opts), from, to };
    case 'sites':
      return { task: task as EvidenceTask<SitesSpec>, kind: 'sites', c: compileSites(s, opts), from, to };
    case 'area':
      return { task: task as EvidenceTask<AreaSpec>, kind: 'area', c: compileArea(s, opts), from, to };
    case 'post': {
      const c = compilePost(task as EvidenceTask<PostSpec>, opts);
      return { task: task as EvidenceTask<PostSpec>, kind: 'post', c, from: from - c.earlyMs, to };
    }
    case 'online':
      return {
        task: task as EvidenceTask<OnlineSpec>,
        kind: 'online',
        c: compileOnline(task as EvidenceTask<OnlineSpec>, opts),
        from,
        to,
      };
  }
}

function accept(t: CompiledTask, p: EvidencePoint, d: DeltaBuilder): void {
  switch (t.kind) {
    case 'route':
      return acceptRoutePoint(t.c, p, d);
    case 'sites':
      return acceptSitePoint(t.c, p, d);
    case 'area':
      return acceptAreaPoint(t.c, p, d);
    case 'post':
      return acceptPostPoint(t.c, p, d);
    case 'online':
      return acceptOnlinePoint(t.c, p, d);
  }
}

export function summarize(t: CompiledTask, doc: EvidenceDoc | undefined, asOf: number): EvidenceSummary {
  switch (t.kind) {
    case 'route':
      return summarizeRoute(t.c, doc);
    case 'sites':
      return summarizeSites(t.c, doc);
    case 'area':
      return summarizeArea(t.c, doc);
    case 'post':
      return summarizePost(t.c, doc, asOf);
    case 'online':
      return summarizeOnline(t.c, doc, asOf);
  }
}

/** Compiled tasks by the device ids that feed them. */
export class TaskIndex {
  private readonly byDevice = new Map<string, CompiledTask[]>();
  readonly tasks: CompiledTask[] = [];

  constructor(tasks: Iterable<CompiledTask> = []) {
    for (const t of tasks) this.add(t);
  }

  add(t: CompiledTask): void {
    this.tasks.push(t);
    for (const id of t.task.subjects) {
      const list = this.byDevice.get(id);
      if (list) list.push(t);
      else this.byDevice.set(id, [t]);
    }
  }

  forDevice(deviceId: string): readonly CompiledTask[] {
    return this.byDevice.get(deviceId) ?? EMPTY;
  }
}
const EMPTY: readonly CompiledTask[] = [];

/**
 * Turns records into one delta per touched task. Records may come in any order, late, or twice: deltas only add
 * to sets and fold minima/maxima, so the resulting state does not depend on that.
 */
export function evaluate(index: TaskIndex, points: Iterable<EvidencePoint>): EvidenceDelta[] {
  const builders = new Map<string, DeltaBuilder>();
  for (const p of points) {
    const tasks = index.forDevice(p.deviceId);
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      if (p.ts < t.from || p.ts >= t.to) continue;
      let d = builders.get(t.task.id);
      if (!d) builders.set(t.task.id, (d = new DeltaBuilder(t.task.id, t.task.day, t.kind)));
      accept(t, p, d);
    }
  }
  const out: EvidenceDelta[] = [];
  for (const d of builders.values()) if (!d.empty) out.push(d.build());
  return out;
}
