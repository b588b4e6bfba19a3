import { LocalProjection } from './geo';
import { runs, slotOf } from './slots';
import type { DeltaBuilder } from './delta';
import type { EvidenceDoc, EvidenceOptions, EvidencePoint, SitesSpec } from './types';

export interface CompiledSites {
  proj: LocalProjection;
  ids: string[];
  x: Float64Array;
  y: Float64Array;
  r2: Float64Array;
  dwellMs: Float64Array;
  maxR: number;
  requireLift: boolean;
  rounds: number;
  slotMs: number;
  maxGapSlots: number;
}

export function compileSites(spec: SitesSpec, opts: EvidenceOptions): CompiledSites {
  const o = opts.sites;
  const n = spec.sites.length;
  const proj = new LocalProjection(n ? spec.sites[0].at : [0, 0]);
  const c: CompiledSites = {
    proj,
    ids: spec.sites.map((s) => s.id),
    x: new Float64Array(n),
    y: new Float64Array(n),
    r2: new Float64Array(n),
    dwellMs: new Float64Array(n),
    maxR: 0,
    requireLift: spec.requireLift ?? false,
    rounds: Math.max(1, spec.rounds ?? 1),
    slotMs: o.slotS * 1000,
    maxGapSlots: Math.max(1, Math.round(o.maxGapS / o.slotS)),
  };
  spec.sites.forEach((s, i) => {
    const r = s.radiusM ?? o.radiusM;
    c.x[i] = proj.x(s.at[0]);
    c.y[i] = proj.y(s.at[1]);
    c.r2[i] = r * r;
    c.dwellMs[i] = (s.dwellS ?? o.dwellS) * 1000;
    c.maxR = Math.max(c.maxR, r);
  });
  return c;
}

/** Records the slot of a point within a site's radius (with the lift on, for collection points). */
export function acceptSitePoint(c: CompiledSites, p: EvidencePoint, d: DeltaBuilder): void {
  if (c.requireLift && !p.ops?.lift) return;
  const x = c.proj.x(p.lng);
  const y = c.proj.y(p.lat);
  let hit = false;
  for (let i = 0; i < c.ids.length; i++) {
    const dx = x - c.x[i];
    const dy = y - c.y[i];
    if (dx * dx + dy * dy <= c.r2[i]) {
      d.add(`sites.s${i}`, slotOf(p.ts, c.slotMs));
      hit = true;
    }
  }
  if (hit) {
    d.min('firstTs', p.ts);
    d.max('lastTs', p.ts);
  }
}

export interface SiteVisit {
  siteId: string;
  visits: number;
  /** Start of the first qualifying visit (epoch ms). */
  firstAt: number | null;
  done: boolean;
}

export interface SitesSummary {
  type: 'sites';
  sites: number;
  sitesDone: number;
  share: number;
  detail: SiteVisit[];
  done: boolean;
}

/** A visit is a run of in-radius slots (gaps up to maxGapS) lasting at least the site's dwell. */
export function summarizeSites(c: CompiledSites, doc: EvidenceDoc | undefined): SitesSummary {
  const detail: SiteVisit[] = c.ids.map((siteId, i) => {
    const qualifying = runs(doc?.sites?.[`s${i}`], c.maxGapSlots).filter(
      ([a, b]) => (b - a + 1) * c.slotMs >= c.dwellMs[i],
    );
    return {
      siteId,
      visits: qualifying.length,
      firstAt: qualifying.length ? qualifying[0][0] * c.slotMs : null,
      done: qualifying.length >= c.rounds,
    };
  });
  const sitesDone = detail.filter((s) => s.done).length;
  const share = c.ids.length ? sitesDone / c.ids.length : 0;
  return {
    type: 'sites',
    sites: c.ids.length,
    sitesDone,
    share: Math.round(share * 10000) / 10000,
    detail,
    done: sitesDone === c.ids.length,
  };
}
