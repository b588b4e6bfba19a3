import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { ObjectId, type Db } from 'mongodb';
import type { Logger } from 'pino';
import { COLLECTIONS, DUPLICATE_KEY } from '@dwg/persistence';
import { ApiConfig } from '../config';
import { canonicalJson } from '../common/canonical-json';
import { parseListQuery } from '../common/list-query';
import { validateDto } from '../common/validate-dto';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../policy/principal';
import type { ResourceName } from '../policy/roles';
import { docInScope, needsLinks, scopeFilter, SCOPE_KIND } from '../policy/scope';
import { LOGGER, MONGO } from '../tokens';
import { DeviceStore } from '../devices/device.store';
import type { BuildContext, Doc, ResourceDef, ResourceStore } from './resource-def';
import { ResourceRepository } from './resource.repository';

/** Bookkeeping the server owns on every document; sent back on update they are ignored. */
export const META_FIELDS = ['createdAt', 'updatedAt', 'createdBy', 'updatedBy'];

/** Fields the server owns on a resource's documents: changing them in an update is refused. */
export function ownedFields(def: ResourceDef): string[] {
  return ['id', '_id', ...(def.contractScoped ? ['operatorId', 'agencyId'] : []), ...(def.computed ?? [])];
}

function isDuplicate(e: unknown) {
  return (e as { code?: number }).code === DUPLICATE_KEY;
}

export interface ListResult {
  rows: Record<string, unknown>[];
  total: number;
  start: number;
}

/**
 * Generic list/get/create/update/delete of every operations resource. Every query is ANDed with the principal's
 * scope filter (policy/scope.ts); a write is validated completely before anything is stored, and every change
 * is followed by its audit entry (or undone when that entry cannot be written).
 */
@Injectable()
export class ResourceService {
  private readonly repos = new Map<string, ResourceRepository>();

  constructor(
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(DeviceStore) private readonly devices: DeviceStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  repo(def: ResourceDef): ResourceRepository {
    let r = this.repos.get(def.collection);
    if (!r) {
      r = new ResourceRepository(this.mongo.db, def.collection, def.hidden ?? []);
      this.repos.set(def.collection, r);
    }
    return r;
  }

  private store(def: ResourceDef): ResourceStore {
    return def.collection === COLLECTIONS.devices ? this.devices : this.repo(def);
  }

  /** The principal's filter for a resource (see policy/scope.ts). */
  async scope(p: Principal, resource: ResourceName): Promise<Record<string, unknown>> {
    if (!needsLinks(p, resource)) return scopeFilter(p, resource);
    const contracts = new ResourceRepository(this.mongo.db, COLLECTIONS.contracts);
    const counterpartIds =
      p.role === 'gov_reviewer'
        ? await contracts.distinctIds(COLLECTIONS.contracts, 'operatorId', { agencyId: p.agencyId })
        : await contracts.distinctIds(COLLECTIONS.contracts, 'agencyId', { operatorId: p.operatorId });
    return scopeFilter(p, resource, { counterpartIds });
  }

  private async scoped(p: Principal, resource: ResourceName, filter: Record<string, unknown>) {
    const s = await this.scope(p, resource);
    return Object.keys(s).length === 0
      ? filter
      : Object.keys(filter).length === 0
        ? s
        : { $and: [filter, s] };
  }

  serialize(def: ResourceDef, d: Doc): Record<string, unknown> {
    const { _id, ...rest } = d;
    for (const h of def.hidden ?? []) delete rest[h];
    return { id: _id, ...rest };
  }

  async list(def: ResourceDef, p: Principal, query: Record<string, unknown>): Promise<ListResult> {
    const q = parseListQuery(def.list, query);
    const { rows, total } = await this.repo(def).list(
      await this.scoped(p, def.name, q.filter),
      q.sort,
      q.skip,
      q.limit,
    );
    return { rows: rows.map((r) => this.serialize(def, r)), total, start: q.start };
  }

  private async findScoped(def: ResourceDef, p: Principal, id: string, withHidden = false): Promise<Doc> {
    const doc = await this.repo(def).findOne(await this.scoped(p, def.name, { _id: id }), withHidden);
    if (!doc) throw new NotFoundException(`${def.label} "${id}" not found`);
    return doc;
  }

  async get(def: ResourceDef, p: Principal, id: string) {
    return this.serialize(def, await this.findScoped(def, p, id));
  }

  private async loadContract(p: Principal, contractId: unknown): Promise<Doc> {
    const id = String(contractId);
    const repo = new ResourceRepository(this.mongo.db, COLLECTIONS.contracts);
    const c = await repo.findOne(await this.scoped(p, 'contracts', { _id: id }));
    if (!c) throw new NotFoundException(`contract "${id}" not found`);
    return c;
  }

  private context(p: Principal, contract: Doc | null, existing: Doc | null): BuildContext {
    const repo = new ResourceRepository(this.mongo.db, COLLECTIONS.contracts);
    return {
      principal: p,
      contract,
      existing,
      now: new Date(),
      find: (collection, id) => repo.findIn(collection, id),
      sameContract: async (collection, id, field, what) => {
        const d = await repo.findIn(collection, id);
        if (!d || !contract || d.contractId !== contract._id)
          throw new BadRequestException(`${field}: no ${what} "${id}" in contract "${contract?._id}"`);
        return d;
      },
      hashPassword: (plain) => bcrypt.hash(plain, this.config.BCRYPT_COST),
    };
  }

  private tenantOf(def: ResourceDef, d: Record<string, unknown>) {
    switch (SCOPE_KIND[def.name]) {
      case 'operator':
        return { operatorId: d._id };
      case 'agency':
        return { agencyId: d._id };
      default:
        return { operatorId: d.operatorId, agencyId: d.agencyId };
    }
  }

  /** What the audit log keeps of a document: everything but hidden fields (hashes, secrets, lockout state). */
  private visible(def: ResourceDef, d: Record<string, unknown> | null) {
    if (!d) return null;
    const out = { ...d };
    for (const h of def.hidden ?? []) delete out[h];
    return out;
  }

  private async checkAndBuild(
    def: ResourceDef,
    p: Principal,
    input: object,
    contract: Doc | null,
    existing: Doc | null,
  ) {
    // JSON round trip: built documents are plain JSON (dates as strings); this drops undefined members at every level.
    const built = JSON.parse(
      JSON.stringify(await def.build(input, this.context(p, contract, existing))),
    ) as Record<string, unknown>;
    for (const f of def.writeOnly ?? []) delete built[f];
    const tenant = contract
      ? { contractId: contract._id, operatorId: contract.operatorId, agencyId: contract.agencyId }
      : {};
    const doc = { ...built, ...tenant };
    if (!docInScope(p, def.name, doc))
      throw new ForbiddenException(`this ${def.label} would be outside your tenant`);
    def.authorize?.(p, doc, existing);
    return doc;
  }

  async create(def: ResourceDef, p: Principal, body: unknown) {
    const input = validateDto(def.dto, body) as object & { contractId?: string };
    const contract = def.contractScoped ? await this.loadContract(p, input.contractId) : null;
    const fields = await this.checkAndBuild(def, p, input, contract, null);
    const now = new Date();
    const doc: Doc = {
      _id: def.newId?.(input) ?? new ObjectId().toHexString(),
      ...fields,
      createdAt: now,
      updatedAt: now,
      createdBy: p.id,
      updatedBy: p.id,
    };
    const store = this.store(def);
    let shown: Record<string, unknown>;
    try {
      shown = await store.insert(doc);
    } catch (e) {
      if (isDuplicate(e))
        throw new ConflictException(def.duplicate?.(input) ?? `${def.label} already exists`);
      throw e;
    }
    try {
      await this.audit.record({
        actor: p,
        action: 'create',
        resource: def.name,
        resourceId: doc._id,
        before: null,
        after: this.visible(def, doc),
        scope: this.tenantOf(def, doc),
      });
    } catch (e) {
      await store
        .remove(doc._id)
        .catch((err) =>
          this.logger.error(
            { err, id: doc._id },
            'compensation failed: created document left without audit entry',
          ),
        );
      throw e;
    }
    return { ...this.serialize(def, doc), ...shown };
  }

  async update(def: ResourceDef, p: Principal, id: string, body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestException('body must be a JSON object');
    const existing = await this.findScoped(def, p, id, true);
    const shown = this.serialize(def, existing);
    const patch: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    const immutable = [...(def.immutable ?? []), ...(def.contractScoped ? ['contractId'] : [])];
    const fixed = [...ownedFields(def), ...immutable];
    const problems: string[] = [];
    for (const k of META_FIELDS) delete patch[k];
    for (const k of fixed) {
      if (!(k in patch)) continue;
      if (canonicalJson(patch[k]) !== canonicalJson(k === '_id' ? existing._id : shown[k]))
        problems.push(k === 'id' || k === '_id' ? 'id does not match the URL' : `${k} cannot be changed`);
      delete patch[k];
    }
    for (const h of def.hidden ?? []) if (h in patch) problems.push(`property ${h} should not exist`);
    if (problems.length) throw new BadRequestException(problems);
    const notInput = [...ownedFields(def), ...META_FIELDS, ...(def.hidden ?? [])];
    const ownFields = (d: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => !notInput.includes(k)));
    const merged: Record<string, unknown> = { ...ownFields(existing), ...patch };
    for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
    const input = validateDto(def.dto, merged);
    const contract = def.contractScoped ? await this.loadContract(p, existing.contractId) : null;
    const fields = await this.checkAndBuild(def, p, input, contract, existing);
    const now = new Date();
    const set = { ...fields, updatedAt: now, updatedBy: p.id };
    const unset = Object.keys(ownFields(existing)).filter((k) => !(k in set));
    const after: Doc = { ...existing, ...set, _id: existing._id };
    for (const k of unset) delete after[k];
    const store = this.store(def);
    let ok: boolean;
    try {
      ok = await store.update({ _id: id, updatedAt: existing.updatedAt }, set, unset);
    } catch (e) {
      if (isDuplicate(e))
        throw new ConflictException(def.duplicate?.(input) ?? `${def.label} already exists`);
      throw e;
    }
    if (!ok) throw new ConflictException(`${def.label} "${id}" was changed meanwhile; reload and try again`);
    try {
      await this.audit.record({
        actor: p,
        action: 'update',
        resource: def.name,
        resourceId: id,
        before: this.visible(def, existing),
        after: this.visible(def, after),
        scope: this.tenantOf(def, after),
      });
    } catch (e) {
      await store
        .restore(existing)
        .catch((err) =>
          this.logger.error({ err, id }, 'compensation failed: updated document left without audit entry'),
        );
      throw e;
    }
    return this.serialize(def, after);
  }

  async remove(def: ResourceDef, p: Principal, id: string) {
    const existing = await this.findScoped(def, p, id, true);
    def.authorize?.(p, existing, existing);
    const repo = this.repo(def);
    for (const ref of def.referencedBy ?? []) {
      const n = await repo.countWhere(ref.collection, { [ref.field]: id });
      if (n > 0)
        throw new ConflictException(
          `${def.label} "${id}" is still referenced by ${n} ${ref.what}; remove or reassign them first`,
        );
    }
    const store = this.store(def);
    if (!(await store.remove(id))) throw new NotFoundException(`${def.label} "${id}" not found`);
    try {
      await this.audit.record({
        actor: p,
        action: 'delete',
        resource: def.name,
        resourceId: id,
        before: this.visible(def, existing),
        after: null,
        scope: this.tenantOf(def, existing),
      });
    } catch (e) {
      await store
        .restore(existing)
        .catch((err) =>
          this.logger.error({ err, id }, 'compensation failed: deleted document left without audit entry'),
        );
      throw e;
    }
    return this.serialize(def, existing);
  }

  /** Records a change made outside the generic paths (credential rotation). */
  recordAudit(def: ResourceDef, p: Principal, action: string, d: Doc) {
    const v = this.visible(def, d);
    return this.audit.record({
      actor: p,
      action,
      resource: def.name,
      resourceId: d._id,
      before: v,
      after: v,
      scope: this.tenantOf(def, d),
    });
  }

  /** Scoped, with hidden fields: for the device credential endpoint. */
  getStored(def: ResourceDef, p: Principal, id: string) {
    return this.findScoped(def, p, id, true);
  }
}
