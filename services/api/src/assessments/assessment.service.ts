import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from '@dwg/persistence';
import { AuditService } from '../audit/audit.service';
import { badRequest, DomainError, forbidden } from '../common/domain-error';
import { contentRange, parseListQuery, type ListSpec } from '../common/list-query';
import type { Principal } from '../policy/principal';
import { scopeFilter } from '../policy/scope';
import { MONGO } from '../tokens';
import { monthRange } from '../kpis/kpi-periods';
import { KpiService } from '../kpis/kpi.service';
import type { KpiCell } from '../kpis/kpi-periods';
import {
  allowedActions,
  computeDeductions,
  contentHash,
  DEFAULT_RULES,
  frozenContent,
  parseRules,
  score,
  type AssessmentRule,
  type Contribution,
  type Deduction,
  type ScoreSummary,
} from './assessment.rules';

export interface AssessmentDoc extends ScoreSummary {
  _id: string;
  contractId: string;
  contractCode: string | null;
  contractName: string | null;
  operatorId: string | null;
  agencyId: string | null;
  month: string;
  status: 'draft' | 'approved';
  rules: AssessmentRule[];
  deductions: Deduction[];
  kpis: { line: string; cell: KpiCell }[];
  computedAt: string;
  createdAt: string;
  updatedAt: string;
  approvedAt: string | null;
  approvedBy: string | null;
  /** SHA-256 of the canonical JSON of the frozen content (written to the audit chain on approval). */
  contentHash: string | null;
}

export const ASSESSMENT_LIST: ListSpec = {
  filters: { contractId: 'string', month: 'string', status: 'string' },
  sortable: ['month', 'contractId', 'score', 'status'],
};

const OPERATOR_APPEALERS = ['admin', 'operator_manager'];
const REVIEWERS = ['admin', 'gov_reviewer'];

const show = ({ _id, ...rest }: AssessmentDoc) => ({
  id: _id,
  ...rest,
  allowedActions: allowedActions(
    rest.status,
    rest.deductions.filter((d) => d.appeal?.status === 'pending').length,
  ),
});

@Injectable()
export class AssessmentService {
  private readonly col: Collection<AssessmentDoc>;
  private readonly rulesCol: Collection<{ _id: string; rules: AssessmentRule[]; updatedAt: string }>;

  constructor(
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(KpiService) private readonly kpis: KpiService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {
    this.col = mongo.db.collection<AssessmentDoc>(COLLECTIONS.assessments);
    this.rulesCol = mongo.db.collection(COLLECTIONS.assessmentRules);
  }

  async rules(
    p: Principal,
    contractId: string,
  ): Promise<{ contractId: string; rules: AssessmentRule[]; defaults: boolean }> {
    await this.kpis.contract(p, contractId);
    const doc = await this.rulesCol.findOne({ _id: contractId });
    return { contractId, rules: doc?.rules ?? DEFAULT_RULES, defaults: !doc };
  }

  async setRules(p: Principal, contractId: string, body: unknown) {
    if (p.role !== 'admin')
      throw forbidden("only admin writes a contract's assessment rules (they are contract terms)");
    const contract = await this.kpis.contract(p, contractId);
    const rules = parseRules(body);
    const before = await this.rulesCol.findOne({ _id: contractId });
    const updatedAt = new Date().toISOString();
    await this.rulesCol.updateOne({ _id: contractId }, { $set: { rules, updatedAt } }, { upsert: true });
    await this.audit.record({
      actor: p,
      action: 'update',
      resource: 'assessment-rules',
      resourceId: contractId,
      before: before?.rules ?? null,
      after: rules,
      scope: { operatorId: contract.operatorId, agencyId: contract.agencyId },
    });
    return { contractId, rules, defaults: false };
  }

  async list(p: Principal, q: Record<string, unknown>) {
    const lq = parseListQuery(ASSESSMENT_LIST, q);
    const filter = { ...lq.filter, ...scopeFilter(p, 'assessments') };
    const [rows, total] = await Promise.all([
      this.col
        .find(filter as never, {
          sort: lq.sort,
          skip: lq.skip,
          limit: lq.limit,
          projection: { deductions: 0, kpis: 0 },
        })
        .toArray(),
      this.col.countDocuments(filter as never),
    ]);
    return {
      rows: rows.map(({ _id, ...r }) => ({ id: _id, ...r })),
      range: contentRange('assessments', lq.start, rows.length, total),
    };
  }

  async find(p: Principal, id: string): Promise<AssessmentDoc> {
    const a = await this.col.findOne({ _id: id, ...scopeFilter(p, 'assessments') } as never);
    if (!a) throw new DomainError(404, `no assessment ${id} within your tenant`);
    return a;
  }

  async get(p: Principal, id: string) {
    return show(await this.find(p, id));
  }

  private async compute(
    a: Pick<AssessmentDoc, 'contractId' | 'month' | 'deductions'>,
    rules: AssessmentRule[],
  ) {
    const { from, to } = monthRange(a.month);
    const contribs = (await this.kpis.reader.contributions(
      a.contractId,
      from,
      to,
    )) as unknown as Contribution[];
    const deductions = computeDeductions(rules, contribs, a.deductions);
    const kpis = await this.kpis.monthTable(a.contractId, a.month);
    return { deductions, kpis, ...score(rules, deductions), computedAt: new Date().toISOString() };
  }

  async create(p: Principal, body: { contractId?: unknown; month?: unknown }) {
    if (!['admin', 'operator_manager', 'gov_reviewer'].includes(p.role))
      throw forbidden(`role ${p.role} may not create assessments`);
    const contract = await this.kpis.contract(p, body?.contractId);
    const month = String(body?.month ?? '');
    monthRange(month);
    const existing = await this.col.findOne({ contractId: contract._id, month });
    if (existing)
      throw new DomainError(
        409,
        `contract ${contract._id} already has the assessment ${existing._id} for ${month}; recompute it instead`,
      );
    const rules = (await this.rules(p, contract._id)).rules;
    const now = new Date().toISOString();
    const doc: AssessmentDoc = {
      _id: randomUUID(),
      contractId: contract._id,
      contractCode: contract.code ?? null,
      contractName: contract.name ?? null,
      operatorId: contract.operatorId ?? null,
      agencyId: contract.agencyId ?? null,
      month,
      status: 'draft',
      rules,
      ...(await this.compute({ contractId: contract._id, month, deductions: [] }, rules)),
      createdAt: now,
      updatedAt: now,
      approvedAt: null,
      approvedBy: null,
      contentHash: null,
    };
    try {
      await this.col.insertOne(doc);
    } catch (e) {
      if ((e as { code?: number }).code === 11000)
        throw new DomainError(409, `contract ${contract._id} already has an assessment for ${month}`);
      throw e;
    }
    await this.auditChange(p, 'create', doc, null, { month, score: doc.score });
    return show(doc);
  }

  private assertDraft(a: AssessmentDoc, action: string) {
    if (a.status !== 'draft')
      throw new DomainError(
        409,
        `assessment ${a._id} is approved and frozen: ${action} is not allowed (allowed actions: none)`,
      );
  }

  /** Conditional on updatedAt, so two concurrent changes cannot overwrite each other (no transactions). */
  private async save(before: AssessmentDoc, after: AssessmentDoc) {
    const r = await this.col.replaceOne(
      { _id: before._id, updatedAt: before.updatedAt, status: 'draft' },
      after,
    );
    if (r.matchedCount === 0)
      throw new DomainError(409, `assessment ${before._id} changed meanwhile; reload and retry`);
  }

  async recompute(p: Principal, id: string) {
    const a = await this.find(p, id);
    this.assertDraft(a, 'recompute');
    const rules = (await this.rules(p, a.contractId)).rules;
    const next: AssessmentDoc = {
      ...a,
      rules,
      ...(await this.compute(a, rules)),
      updatedAt: new Date().toISOString(),
    };
    await this.save(a, next);
    await this.auditChange(p, 'recompute', next, { score: a.score }, { score: next.score });
    return show(next);
  }

  async appeal(p: Principal, id: string, deductionId: string, body: { comment?: unknown }) {
    if (!OPERATOR_APPEALERS.includes(p.role))
      throw forbidden(`role ${p.role} may not appeal; the operator's manager appeals`);
    const comment = typeof body?.comment === 'string' ? body.comment.trim() : '';
    if (!comment || comment.length > 2000)
      throw badRequest('comment is required (1–2000 characters): say why the deduction is wrong');
    const a = await this.find(p, id);
    this.assertDraft(a, 'appeal');
    const d = this.deduction(a, deductionId);
    if (d.appeal)
      throw new DomainError(
        409,
        `deduction ${deductionId} already has an appeal (${d.appeal.status}); one appeal per deduction`,
      );
    const appeal = {
      status: 'pending' as const,
      comment,
      by: p.username,
      at: new Date().toISOString(),
      reviewComment: null,
      reviewedBy: null,
      reviewedAt: null,
    };
    return this.updateDeduction(p, a, deductionId, { ...d, appeal }, 'appeal');
  }

  async review(
    p: Principal,
    id: string,
    deductionId: string,
    body: { decision?: unknown; comment?: unknown },
  ) {
    if (!REVIEWERS.includes(p.role))
      throw forbidden(`role ${p.role} may not review appeals; the agency's reviewer does`);
    if (body?.decision !== 'accept' && body?.decision !== 'reject')
      throw badRequest('decision must be accept or reject');
    const comment = typeof body.comment === 'string' ? body.comment.trim() : '';
    const a = await this.find(p, id);
    this.assertDraft(a, 'review');
    const d = this.deduction(a, deductionId);
    if (d.appeal?.status !== 'pending')
      throw new DomainError(
        409,
        `deduction ${deductionId} has no pending appeal (${d.appeal ? `appeal ${d.appeal.status}` : 'not appealed'}); allowed: appeal first`,
      );
    const appeal = {
      ...d.appeal,
      status: body.decision === 'accept' ? ('accepted' as const) : ('rejected' as const),
      reviewComment: comment || null,
      reviewedBy: p.username,
      reviewedAt: new Date().toISOString(),
    };
    return this.updateDeduction(p, a, deductionId, { ...d, appeal }, 'review');
  }

  async approve(p: Principal, id: string) {
    if (!REVIEWERS.includes(p.role))
      throw forbidden(`role ${p.role} may not approve assessments; the agency's reviewer does`);
    const a = await this.find(p, id);
    this.assertDraft(a, 'approve');
    const pending = a.deductions.filter((d) => d.appeal?.status === 'pending').length;
    if (pending)
      throw new DomainError(
        409,
        `${pending} appeal(s) are still pending; review them first (allowed actions: ${allowedActions('draft', pending).join(', ')})`,
      );
    const approved: AssessmentDoc = {
      ...a,
      status: 'approved',
      approvedAt: new Date().toISOString(),
      approvedBy: p.username,
      updatedAt: new Date().toISOString(),
    };
    approved.contentHash = contentHash(frozenContent(approved));
    await this.save(a, approved);
    await this.auditChange(
      p,
      'approve',
      approved,
      { status: 'draft' },
      { status: 'approved', score: approved.score, contentHash: approved.contentHash },
    );
    return show(approved);
  }

  private deduction(a: AssessmentDoc, deductionId: string): Deduction {
    const d = a.deductions.find((x) => x.id === deductionId);
    if (!d) throw new DomainError(404, `assessment ${a._id} has no deduction ${deductionId}`);
    return d;
  }

  private async updateDeduction(
    p: Principal,
    a: AssessmentDoc,
    deductionId: string,
    d: Deduction,
    action: string,
  ) {
    const deductions = a.deductions.map((x) => (x.id === deductionId ? d : x));
    const next: AssessmentDoc = {
      ...a,
      deductions,
      ...score(a.rules, deductions),
      updatedAt: new Date().toISOString(),
    };
    await this.save(a, next);
    await this.auditChange(
      p,
      action,
      next,
      { deductionId, appeal: a.deductions.find((x) => x.id === deductionId)?.appeal ?? null },
      { deductionId, appeal: d.appeal, score: next.score },
    );
    return show(next);
  }

  private auditChange(p: Principal, action: string, a: AssessmentDoc, before: unknown, after: unknown) {
    return this.audit.record({
      actor: p,
      action,
      resource: 'assessments',
      resourceId: a._id,
      before,
      after,
      scope: { operatorId: a.operatorId, agencyId: a.agencyId },
    });
  }
}
