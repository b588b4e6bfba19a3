import { createHash } from 'node:crypto';
import type { KpiEntityKind, KpiKey, KpiVector } from '@dwg/contracts';
import { canonicalJson } from '../common/canonical-json';
import { badRequest } from '../common/domain-error';

/**
 * Monthly assessment (考核) of a contract: the contract's rules turn the month's per-entity KPI contributions into
 * deductions (扣分), each pointing at its evidence; the score is 100 minus the deductions, each rule's subtotal
 * capped. Pure functions: the service stores and freezes what these compute.
 */
export const RULE_IDS = [
  'route_uncovered',
  'absent_worker_shift',
  'vehicle_offline_shift',
  'red_card_work_order',
  'missed_collection',
  'missed_checkpoint',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface AssessmentRule {
  id: RuleId;
  label: string;
  enabled: boolean;
  /** Points deducted per unit. */
  points: number;
  unit: string;
  /** Most points this rule can deduct in a month (null: no cap). */
  cap: number | null;
}

/** Defaults modelled on common district contract practice; a contract may set its own (PUT …/assessment-rules). */
export const DEFAULT_RULES: AssessmentRule[] = [
  { id: 'route_uncovered', label: '应作业线路未覆盖', enabled: true, points: 0.5, unit: '公里', cap: 30 },
  { id: 'absent_worker_shift', label: '人员缺勤', enabled: true, points: 0.2, unit: '人·班次', cap: 20 },
  { id: 'vehicle_offline_shift', label: '车辆未上线', enabled: true, points: 0.2, unit: '车·班次', cap: 10 },
  { id: 'red_card_work_order', label: '工单超时红牌', enabled: true, points: 1, unit: '单', cap: 20 },
  { id: 'missed_collection', label: '收集点漏收', enabled: true, points: 0.2, unit: '点次', cap: 20 },
  { id: 'missed_checkpoint', label: '巡查点漏巡', enabled: true, points: 0.1, unit: '点次', cap: 10 },
];

/** Validates a contract's rule set: every rule id known, numbers sane; missing rules take the default. */
export function parseRules(body: unknown): AssessmentRule[] {
  const list = (body as { rules?: unknown })?.rules;
  if (!Array.isArray(list)) throw badRequest('body must be {"rules":[{id, enabled, points, cap}]}');
  const problems: string[] = [];
  const byId = new Map<RuleId, AssessmentRule>();
  list.forEach((r: Record<string, unknown>, i) => {
    const def = DEFAULT_RULES.find((d) => d.id === r?.id);
    if (!def) return problems.push(`rules[${i}].id must be one of ${RULE_IDS.join(', ')}`);
    if (r.points !== undefined && !(typeof r.points === 'number' && r.points >= 0 && r.points <= 100))
      problems.push(`rules[${i}].points must be a number from 0 to 100`);
    if (r.cap !== undefined && r.cap !== null && !(typeof r.cap === 'number' && r.cap >= 0 && r.cap <= 100))
      problems.push(`rules[${i}].cap must be null or a number from 0 to 100`);
    if (r.enabled !== undefined && typeof r.enabled !== 'boolean')
      problems.push(`rules[${i}].enabled must be a boolean`);
    byId.set(def.id, {
      ...def,
      enabled: (r.enabled as boolean | undefined) ?? def.enabled,
      points: (r.points as number | undefined) ?? def.points,
      cap: r.cap === undefined ? def.cap : (r.cap as number | null),
    });
  });
  if (problems.length) throw badRequest(problems);
  return DEFAULT_RULES.map((d) => byId.get(d.id) ?? d);
}

export interface EvidenceLink {
  kind: 'task' | 'track' | 'badge' | 'work-order' | 'photo' | 'alarm';
  label: string;
  href: string;
}

export type AppealStatus = 'pending' | 'accepted' | 'rejected';

export interface Appeal {
  status: AppealStatus;
  comment: string;
  by: string;
  at: string;
  reviewComment: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

export interface Deduction {
  /** Stable across recomputations (rule + entity), so appeals stay attached. */
  id: string;
  ruleId: RuleId;
  label: string;
  entityKind: KpiEntityKind;
  entityId: string;
  day: string;
  zoneId: string | null;
  serviceLine: string;
  quantity: number;
  unit: string;
  points: number;
  evidence: EvidenceLink[];
  appeal: Appeal | null;
}

export interface Contribution {
  kind: KpiEntityKind;
  entityId: string;
  key: KpiKey;
  vec: KpiVector;
  ref: Record<string, unknown>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const q = (s: string) => encodeURIComponent(s);

function taskEvidence(c: Contribution, badge: boolean): EvidenceLink[] {
  const ref = c.ref as { deviceIds?: string[]; windowStart?: string; windowEnd?: string };
  const links: EvidenceLink[] = [
    { kind: 'task', label: `任务 ${c.entityId}`, href: `/api/tasks/${q(c.entityId)}` },
  ];
  for (const d of ref.deviceIds ?? []) {
    const range = `from=${q(ref.windowStart ?? '')}&to=${q(ref.windowEnd ?? '')}`;
    links.push(
      badge
        ? { kind: 'badge', label: `工牌记录 ${d}`, href: `/api/tracks/${q(d)}?${range}&raw=1` }
        : { kind: 'track', label: `轨迹 ${d}`, href: `/api/tracks/${q(d)}?${range}` },
    );
  }
  return links;
}

function workOrderEvidence(c: Contribution): EvidenceLink[] {
  const photos = ((c.ref as { photoIds?: string[] }).photoIds ?? []).map((p): EvidenceLink => ({
    kind: 'photo',
    label: `照片 ${p}`,
    href: `/api/work-orders/${q(c.entityId)}/photos/${q(p)}`,
  }));
  return [
    { kind: 'work-order', label: `工单 ${c.entityId}`, href: `/api/work-orders/${q(c.entityId)}` },
    ...photos,
  ];
}

/** What each rule counts in one entity's contribution, and its evidence. */
function measure(rule: RuleId, c: Contribution): { quantity: number; evidence: () => EvidenceLink[] } | null {
  const v = c.vec;
  switch (rule) {
    case 'route_uncovered': {
      const km = ((v.routeRequiredM ?? 0) - (v.routeCoveredM ?? 0)) / 1000;
      return c.kind === 'task' && km > 0.0005
        ? { quantity: Math.round(km * 1000) / 1000, evidence: () => taskEvidence(c, false) }
        : null;
    }
    case 'absent_worker_shift': {
      const n = (v.postShifts ?? 0) - (v.postAttended ?? 0);
      return c.kind === 'task' && n > 0 ? { quantity: n, evidence: () => taskEvidence(c, true) } : null;
    }
    case 'vehicle_offline_shift': {
      const n = (v.vehicleShifts ?? 0) - (v.vehicleOnline ?? 0);
      return c.kind === 'task' && n > 0 ? { quantity: n, evidence: () => taskEvidence(c, false) } : null;
    }
    case 'red_card_work_order':
      return c.kind === 'work-order' && (v.woRed ?? 0) > 0
        ? { quantity: 1, evidence: () => workOrderEvidence(c) }
        : null;
    case 'missed_collection': {
      const n = (v.collectionsRequired ?? 0) - (v.collectionsVisited ?? 0);
      return c.kind === 'task' && n > 0 ? { quantity: n, evidence: () => taskEvidence(c, false) } : null;
    }
    case 'missed_checkpoint': {
      const n = (v.checkpointsRequired ?? 0) - (v.checkpointsVisited ?? 0);
      return c.kind === 'task' && n > 0 ? { quantity: n, evidence: () => taskEvidence(c, true) } : null;
    }
  }
}

/** The deductions of a month, keeping the appeals of an earlier computation by deduction id. */
export function computeDeductions(
  rules: AssessmentRule[],
  contributions: Contribution[],
  previous: Deduction[] = [],
): Deduction[] {
  const appeals = new Map(previous.filter((d) => d.appeal).map((d) => [d.id, d.appeal]));
  const out: Deduction[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.points <= 0) continue;
    for (const c of contributions) {
      const m = measure(rule.id, c);
      if (!m) continue;
      const id = `${rule.id}|${c.kind}|${c.entityId}`;
      out.push({
        id,
        ruleId: rule.id,
        label: rule.label,
        entityKind: c.kind,
        entityId: c.entityId,
        day: c.key.day,
        zoneId: c.key.zoneId,
        serviceLine: c.key.serviceLine,
        quantity: m.quantity,
        unit: rule.unit,
        points: round2(m.quantity * rule.points),
        evidence: m.evidence(),
        appeal: appeals.get(id) ?? null,
      });
    }
  }
  return out;
}

export interface RuleSubtotal {
  ruleId: RuleId;
  label: string;
  count: number;
  /** Sum of the deductions not waived by an accepted appeal. */
  raw: number;
  cap: number | null;
  points: number;
}

export interface ScoreSummary {
  subtotals: RuleSubtotal[];
  totalDeduction: number;
  score: number;
}

/** 100 minus the capped rule subtotals; a deduction whose appeal was accepted counts nothing. Never below 0. */
export function score(rules: AssessmentRule[], deductions: Deduction[]): ScoreSummary {
  const subtotals = rules.map((r) => {
    const mine = deductions.filter((d) => d.ruleId === r.id && d.appeal?.status !== 'accepted');
    const raw = round2(mine.reduce((s, d) => s + d.points, 0));
    return {
      ruleId: r.id,
      label: r.label,
      count: mine.length,
      raw,
      cap: r.cap,
      points: r.cap === null ? raw : Math.min(raw, r.cap),
    };
  });
  const totalDeduction = round2(subtotals.reduce((s, t) => s + t.points, 0));
  return { subtotals, totalDeduction, score: Math.max(0, round2(100 - totalDeduction)) };
}

export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Which actions an assessment allows in its state, for 409 messages and the console. */
export function allowedActions(status: 'draft' | 'approved', pendingAppeals: number): string[] {
  if (status === 'approved') return [];
  return pendingAppeals ? ['recompute', 'appeal', 'review'] : ['recompute', 'appeal', 'approve'];
}

/** What is frozen and hashed on approval: everything a reviewer signs off, nothing that could change later. */
export interface FreezableAssessment extends ScoreSummary {
  _id: string;
  contractId: string;
  contractCode: string | null;
  month: string;
  rules: AssessmentRule[];
  deductions: Deduction[];
  kpis: unknown;
  computedAt: string;
  approvedAt: string | null;
  approvedBy: string | null;
}

export function frozenContent(a: FreezableAssessment) {
  return {
    id: a._id,
    contractId: a.contractId,
    contractCode: a.contractCode,
    month: a.month,
    rules: a.rules,
    deductions: a.deductions,
    kpis: a.kpis,
    subtotals: a.subtotals,
    totalDeduction: a.totalDeduction,
    score: a.score,
    computedAt: a.computedAt,
    approvedAt: a.approvedAt,
    approvedBy: a.approvedBy,
  };
}
