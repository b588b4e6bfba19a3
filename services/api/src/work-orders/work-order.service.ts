import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { GridFSBucket, ObjectId, type Collection, type Db } from 'mongodb';
import type { Logger } from 'pino';
import {
  allowedActions,
  calendarProblems,
  categoryByCode,
  CLOCK_STATES,
  computeDeadlines,
  DEFAULT_CALENDAR,
  OPEN_STATES,
  routeOrder,
  transition,
  WORK_ORDER_CATEGORIES,
  type ActorRole,
  type RoutingRule,
  type WorkCalendar,
  type WorkOrderState,
  type HistoryEntry,
  type WorkOrderDoc,
  type WorkOrderPhoto,
} from '@dwg/contracts';
import { COLLECTIONS, WORK_ORDER_PHOTO_BUCKET } from '@dwg/persistence';
import { ApiConfig } from '../config';
import { AuditService } from '../audit/audit.service';
import { badRequest, DomainError, failIf, forbidden } from '../common/domain-error';
import { parseListQuery, type ListSpec } from '../common/list-query';
import type { Principal } from '../policy/principal';
import { withScope } from '../policy/scope';
import { ResourceService } from '../resources/resource.service';
import { decodeDoc } from '../resources/resource.repository';
import { LOGGER, MONGO } from '../tokens';
import { hashKey } from './api-keys';
import { WorkOrderEvents } from './events';
import { readExif } from './exif';
import {
  checkCloseOut,
  distanceM,
  photoProblems,
  presenceFromLastFixes,
  sniffImage,
  type BadgeFix,
  type UploadedFile,
} from './photos';
import { placePoint, type ZoneLite } from './placement';

export const WORK_ORDER_LIST: ListSpec = {
  filters: {
    state: 'string',
    category: 'string',
    contractId: 'string',
    zoneId: 'string',
    teamId: 'string',
    source: 'string',
    flagged: 'boolean',
    alarmId: 'string',
  },
  sortable: ['reportedAt', 'updatedAt', 'dueAt', 'state', 'category'],
  search: ['description', 'address'],
};

/** Who acts: a signed-in user, an Open311 integration or the platform itself (alarms, timers). */
export type Actor = { id: string; username: string; role: string };

const notFound = (id: string) => new DomainError(404, `work order "${id}" not found`);
const conflict = (m: string) => new DomainError(409, m);

interface ReportInput {
  category: string;
  description: string;
  lng: number;
  lat: number;
  address?: string | null;
  source: WorkOrderDoc['source'];
  reporter: WorkOrderDoc['reporter'];
  /** Tenant of the reporter, used when the point is in no zone (the screening queue of that operator). */
  fallbackTenant: { operatorId: string | null; agencyId: string | null };
  files: UploadedFile[];
  minPhotos: number;
  token?: string | null;
  mediaUrl?: string | null;
}

/**
 * Work orders: report (placed, routed, deadlines set), lifecycle actions through the state machine, photos in
 * GridFS, calendars and routing rules per contract, and the Open311 view. Every change is one conditional update
 * on `rev`, followed by its audit entry and a WorkOrderChanged event (the worker's deadline timers follow those).
 */
@Injectable()
export class WorkOrderService implements OnModuleDestroy {
  readonly col: Collection<WorkOrderDoc>;
  readonly bucket: GridFSBucket;
  readonly events: WorkOrderEvents;

  constructor(
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ApiConfig) private readonly config: ApiConfig,
    @Inject(ResourceService) private readonly resources: ResourceService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.col = mongo.db.collection<WorkOrderDoc>(COLLECTIONS.workOrders);
    this.bucket = new GridFSBucket(mongo.db, { bucketName: WORK_ORDER_PHOTO_BUCKET });
    this.events = new WorkOrderEvents(config.REDIS_URL, config.REDIS_PREFIX, logger);
  }

  async onModuleDestroy() {
    await this.events.close();
  }

  private get db() {
    return this.mongo.db;
  }

  // ---------- reading ----------

  /** Tenant scope, plus the caller's own reports (a reporter follows a report placed in another operator's zone). */
  async scope(p: Principal): Promise<Record<string, unknown>> {
    const s = await this.resources.scope(p, 'work-orders');
    if (Object.keys(s).length === 0) return {};
    return p.role === 'gov_reviewer' ? s : { $or: [s, { 'reporter.userId': p.id }] };
  }

  private async scoped(p: Principal, filter: Record<string, unknown>) {
    const s = await this.scope(p);
    return Object.keys(s).length ? { $and: [filter, s] } : filter;
  }

  serialize(o: WorkOrderDoc, p?: Principal) {
    const { _id, token: _t, ...rest } = o;
    const allowed = p ? this.allowedFor(o, p) : undefined;
    return { id: _id, ...rest, ...(allowed ? { allowedActions: allowed } : {}) };
  }

  private allowedFor(o: WorkOrderDoc, p: Principal) {
    return allowedActions(o.state, p.role as ActorRole);
  }

  async list(p: Principal, query: Record<string, unknown>) {
    const q = parseListQuery(WORK_ORDER_LIST, query);
    const filter = await this.scoped(p, q.filter);
    const [rows, total] = await Promise.all([
      this.col
        .find(filter, { sort: q.sort, skip: q.skip, limit: q.limit, projection: { history: 0 } })
        .toArray(),
      this.col.countDocuments(filter),
    ]);
    return { rows: rows.map((r) => this.serialize(r as WorkOrderDoc)), total, start: q.start };
  }

  async load(p: Principal, id: string): Promise<WorkOrderDoc> {
    const o = await this.col.findOne(await this.scoped(p, { _id: id }));
    if (!o) throw notFound(id);
    return o as WorkOrderDoc;
  }

  async get(p: Principal, id: string) {
    return this.serialize(await this.load(p, id), p);
  }

  /** Open reports of the category near a point (bounding box on the stored lng/lat, then the exact distance). */
  async duplicates(category: string, lng: number, lat: number, scope: Record<string, unknown> = {}) {
    const r = this.config.WO_DUPLICATE_RADIUS_M;
    const dLat = r / 111_320;
    const dLng = r / (111_320 * Math.cos((lat * Math.PI) / 180));
    const filter: Record<string, unknown> = {
      category,
      state: { $in: [...OPEN_STATES] },
      'location.lat': { $gte: lat - dLat, $lte: lat + dLat },
      'location.lng': { $gte: lng - dLng, $lte: lng + dLng },
    };
    const rows = await this.col
      .find(withScope(filter, scope), {
        projection: { history: 0 },
        limit: 50,
      })
      .toArray();
    return rows
      .map((o) => ({ o, d: distanceM({ lng, lat }, o.location) }))
      .filter((x) => x.d <= r)
      .sort((a, b) => a.d - b.d)
      .map(({ o, d }) => ({
        id: o._id,
        category: o.category,
        state: o.state,
        description: o.description,
        location: o.location,
        reportedAt: o.reportedAt,
        distanceM: Math.round(d),
      }));
  }

  async scopedDuplicates(p: Principal, category: string, lng: number, lat: number) {
    return this.duplicates(category, lng, lat, await this.scope(p));
  }

  /** Yellow/red card notices (written by the worker) for orders in the caller's tenant, newest first. */
  async notifications(p: Principal, query: Record<string, unknown>) {
    const q = parseListQuery(
      {
        filters: { workOrderId: 'string', kind: 'string', teamId: 'string', contractId: 'string' },
        sortable: ['at'],
      },
      query,
    );
    const s = await this.resources.scope(p, 'work-orders');
    const filter = Object.keys(s).length ? { $and: [q.filter, s] } : q.filter;
    const col = this.db.collection(COLLECTIONS.workOrderNotifications);
    const sort = Object.keys(q.sort).includes('_id') ? { at: -1 as const } : q.sort;
    const [rows, total] = await Promise.all([
      col.find(filter, { sort, skip: q.skip, limit: q.limit }).toArray(),
      col.countDocuments(filter),
    ]);
    return { rows: rows.map(({ _id, ...r }) => ({ id: _id, ...r })), total, start: q.start };
  }

  async openPhoto(p: Principal, id: string, photoId: string) {
    const o = await this.load(p, id);
    const ph = o.photos.find((x) => x.id === photoId);
    if (!ph) throw new DomainError(404, `work order "${id}" has no photo "${photoId}"`);
    return { photo: ph, stream: this.bucket.openDownloadStream(new ObjectId(photoId)) };
  }

  // ---------- reporting ----------

  async report(p: Principal, body: Record<string, unknown>, files: UploadedFile[]) {
    const problems: string[] = [];
    const category = typeof body.category === 'string' ? body.category.trim() : '';
    if (!category) problems.push('category is required');
    const num = (v: unknown) =>
      typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    const lng = num(body.lng);
    const lat = num(body.lat);
    if (!(lng >= -180 && lng <= 180)) problems.push('lng must be a number in -180..180');
    if (!(lat >= -90 && lat <= 90)) problems.push('lat must be a number in -90..90');
    const description = typeof body.description === 'string' ? body.description.trim() : '';
    if (description.length > 4000) problems.push('description must be at most 4000 characters');
    const source = body.source === 'resident' ? 'resident' : 'staff';
    if (body.source !== undefined && !['resident', 'staff'].includes(String(body.source)))
      problems.push('source must be resident or staff');
    failIf(problems);
    const o = await this.createOrder(
      {
        category,
        description,
        lng,
        lat,
        address: typeof body.address === 'string' ? body.address : null,
        source,
        reporter: { kind: 'user', userId: p.id, username: p.username },
        fallbackTenant: { operatorId: p.operatorId ?? null, agencyId: p.agencyId ?? null },
        files,
        minPhotos: 1,
      },
      p,
    );
    return o;
  }

  private async loadZones(): Promise<ZoneLite[]> {
    const rows = await this.db
      .collection(COLLECTIONS.zones)
      .find({}, { projection: { contractId: 1, level: 1, parentId: 1, geometry: 1 } })
      .toArray();
    return rows.map((r) => decodeDoc(r as never) as ZoneLite);
  }

  async calendarOf(contractId: string | null): Promise<WorkCalendar> {
    if (!contractId) return DEFAULT_CALENDAR;
    const c = await this.db.collection(COLLECTIONS.workOrderCalendars).findOne({ _id: contractId as never });
    return c ? toCalendar(c) : DEFAULT_CALENDAR;
  }

  async rulesOf(contractId: string): Promise<RoutingRule[]> {
    const r = await this.db.collection(COLLECTIONS.workOrderRouting).findOne({ _id: contractId as never });
    return (r?.rules as RoutingRule[] | undefined) ?? [];
  }

  private async teamsOf(contractId: string) {
    const rows = await this.db
      .collection(COLLECTIONS.teams)
      .find({ contractId }, { projection: { serviceLine: 1 } })
      .toArray();
    return rows.map((t) => ({ id: String(t._id), serviceLine: String(t.serviceLine) }));
  }

  private async storePhotos(files: UploadedFile[], kind: 'report' | 'result', by: string, orderId: string) {
    const out: WorkOrderPhoto[] = [];
    try {
      for (const f of files) {
        const contentType = sniffImage(f.buffer)!;
        const exif = await readExif(f.buffer);
        const id = await new Promise<ObjectId>((resolve, reject) => {
          const s = this.bucket.openUploadStream(f.originalname || 'photo', {
            metadata: { workOrderId: orderId, kind, contentType },
          });
          s.once('error', reject);
          s.once('finish', () => resolve(s.id));
          s.end(f.buffer);
        });
        out.push({
          id: id.toHexString(),
          kind,
          contentType,
          size: f.size,
          filename: f.originalname || 'photo',
          ...exif,
          uploadedAt: new Date().toISOString(),
          uploadedBy: by,
        });
      }
    } catch (e) {
      await this.dropPhotos(out);
      throw e;
    }
    return out;
  }

  private async dropPhotos(photos: WorkOrderPhoto[]) {
    for (const ph of photos) await this.bucket.delete(new ObjectId(ph.id)).catch(() => undefined);
  }

  /** Places, routes and stores a new order; used by the HTTP report, Open311 and (through the worker) alarms. */
  async createOrder(i: ReportInput, actor: Actor): Promise<WorkOrderDoc> {
    failIf(photoProblems(i.files, i.minPhotos, 9, this.config.WO_PHOTO_MAX_BYTES));
    const id = new ObjectId().toHexString();
    const cat = categoryByCode(i.category);
    const placed = placePoint({ lng: i.lng, lat: i.lat }, await this.loadZones());
    const contract = placed
      ? await this.db.collection(COLLECTIONS.contracts).findOne({ _id: placed.zone.contractId as never })
      : null;
    const routing = routeOrder({
      category: cat,
      zoneChain: placed?.chain ?? [],
      contract: contract
        ? { id: String(contract._id), serviceLines: (contract.serviceLines as string[]) ?? [] }
        : null,
      rules: contract ? await this.rulesOf(String(contract._id)) : [],
      teams: contract ? await this.teamsOf(String(contract._id)) : [],
    });
    const now = new Date();
    const at = now.toISOString();
    const photos = await this.storePhotos(i.files, 'report', actor.id, id);
    const state: WorkOrderState = routing.teamId ? 'dispatched' : 'screening';
    const deadlines =
      routing.teamId && cat
        ? computeDeadlines(at, cat, await this.calendarOf(String(contract!._id)))
        : { dueAt: null, redAt: null };
    const by = { id: actor.id, username: actor.username, role: actor.role };
    const history: HistoryEntry[] = [
      { at, action: 'report', by, from: null, to: 'reported' },
      {
        at,
        action: routing.teamId ? 'dispatch' : 'screen',
        by: { id: 'platform', username: 'routing', role: 'system' },
        from: 'reported',
        to: state,
        note: routing.reason,
      },
    ];
    const doc: WorkOrderDoc = {
      _id: id,
      rev: 1,
      category: i.category,
      categoryKnown: !!cat,
      description: i.description,
      location: { lng: i.lng, lat: i.lat },
      address: i.address ?? null,
      state,
      source: i.source,
      reporter: i.reporter,
      token: i.token ?? null,
      mediaUrl: i.mediaUrl ?? null,
      contractId: contract ? String(contract._id) : null,
      operatorId: contract ? String(contract.operatorId) : i.fallbackTenant.operatorId,
      agencyId: contract ? String(contract.agencyId) : i.fallbackTenant.agencyId,
      zoneId: placed?.zone._id ?? null,
      zoneChain: placed?.chain ?? [],
      serviceLine: cat?.serviceLine ?? null,
      teamId: routing.teamId,
      routingReason: routing.reason,
      reportedAt: at,
      dispatchedAt: routing.teamId ? at : null,
      dueAt: deadlines.dueAt,
      redDueAt: deadlines.redAt,
      deadlineVersion: 1,
      reopenedCount: 0,
      mergedFrom: [],
      flagged: false,
      photos,
      history,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.col.insertOne(doc);
    } catch (e) {
      await this.dropPhotos(photos);
      throw e;
    }
    await this.recordAudit(actor, 'report', null, doc);
    await this.events.publish(doc);
    return doc;
  }

  private async recordAudit(actor: Actor, action: string, before: WorkOrderDoc | null, after: WorkOrderDoc) {
    await this.audit.record({
      actor: actor as Principal,
      action: `work-order.${action}`,
      resource: 'work-orders',
      resourceId: after._id,
      before: before && snapshot(before),
      after: snapshot(after),
      scope: { operatorId: after.operatorId, agencyId: after.agencyId },
    });
  }

  // ---------- lifecycle ----------

  async act(p: Principal, id: string, action: string, body: Record<string, unknown>, files: UploadedFile[]) {
    const o = await this.load(p, id);
    const t = transition(o.state, action, p.role as ActorRole);
    if (!t.ok)
      throw new DomainError(
        t.status,
        t.status === 409 ? [t.message, `allowed: ${t.allowed.join(', ')}`] : t.message,
      );
    const now = new Date();
    const at = now.toISOString();
    const set: Partial<WorkOrderDoc> = {};
    let note: string | undefined;
    let newPhotos: WorkOrderPhoto[] = [];
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    if (action !== 'resolve' && files.length) throw badRequest(`photos are only sent with resolve`);
    switch (action) {
      case 'dispatch':
      case 'reroute': {
        const teamId = str('teamId');
        const reason = str('reason');
        const problems: string[] = [];
        if (!teamId) problems.push('teamId is required');
        if (action === 'reroute' && !reason) problems.push('reason is required to re-route');
        const category = str('category') || o.category;
        const cat = categoryByCode(category);
        if (!cat)
          problems.push(
            `category "${category}" is unknown: set one of ${WORK_ORDER_CATEGORIES.map((c) => c.code).join(', ')}`,
          );
        failIf(problems);
        const team = await this.db.collection(COLLECTIONS.teams).findOne({ _id: teamId as never });
        const teamScope = await this.resources.scope(p, 'teams');
        const inScope =
          team && Object.entries(teamScope).every(([k, v]) => typeof v === 'object' || team[k] === v);
        if (!team || !inScope) throw badRequest(`teamId: no team "${teamId}" within your tenant`);
        if (o.contractId && team.contractId !== o.contractId)
          throw badRequest(`teamId: team "${teamId}" is not in the order's contract "${o.contractId}"`);
        const contractId = String(team.contractId);
        const contract = await this.db
          .collection(COLLECTIONS.contracts)
          .findOne({ _id: contractId as never });
        Object.assign(set, {
          teamId,
          category,
          categoryKnown: true,
          serviceLine: cat!.serviceLine ?? String(team.serviceLine),
          contractId,
          operatorId: String(contract?.operatorId ?? o.operatorId),
          agencyId: String(contract?.agencyId ?? o.agencyId),
          routingReason: `${action} by ${p.username}${reason ? `: ${reason}` : ''}`,
        });
        if (action === 'dispatch') {
          const d = computeDeadlines(at, cat!, await this.calendarOf(contractId));
          Object.assign(set, {
            dispatchedAt: at,
            dueAt: d.dueAt,
            redDueAt: d.redAt,
            deadlineVersion: o.deadlineVersion + 1,
          });
        }
        note = reason || undefined;
        break;
      }
      case 'accept':
        set.acceptedAt = at;
        break;
      case 'start':
        set.startedAt = at;
        break;
      case 'resolve': {
        failIf(
          photoProblems(files, 1, 9, this.config.WO_PHOTO_MAX_BYTES).map(
            (m) => `${m} (a result photo is required)`,
          ),
        );
        newPhotos = await this.storePhotos(files, 'result', p.id, o._id);
        const badgeTrack = await this.badgeTrack(o, now);
        const check = checkCloseOut({
          location: o.location,
          dispatchedAt: o.dispatchedAt ?? null,
          photos: newPhotos,
          badgeFixes: badgeTrack,
          maxDistanceM: this.config.WO_CLOSEOUT_MAX_DISTANCE_M,
        });
        const near = [...badgeTrack]
          .sort((a, b) => distanceM(o.location, a) - distanceM(o.location, b))
          .slice(0, 50);
        set.resolvedAt = at;
        set.closeOut = { ...check, badgeTrack: near };
        set.flagged = !check.ok;
        note = str('comment') || undefined;
        break;
      }
      case 'verify': {
        if (typeof body.fixed !== 'boolean')
          throw badRequest('fixed must be true or false: closing records whether the problem was fixed');
        set.fixed = body.fixed;
        set.closedAt = at;
        set.closeComment = str('comment') || null;
        note = set.closeComment ?? undefined;
        break;
      }
      case 'send_back': {
        const reason = str('reason');
        if (!reason) throw badRequest('reason is required to send work back (返工)');
        set.reopenedCount = o.reopenedCount + 1;
        set.flagged = false;
        note = reason;
        break;
      }
      case 'reject': {
        const reason = str('reason');
        const kind = str('kind');
        const problems: string[] = [];
        if (!reason) problems.push('reason is required to reject');
        if (!['not_ours', 'invalid'].includes(kind)) problems.push('kind must be not_ours or invalid');
        failIf(problems);
        Object.assign(set, { rejectReason: reason, rejectKind: kind, closedAt: at });
        note = `${kind}: ${reason}`;
        break;
      }
      case 'merge': {
        const into = str('into');
        if (!into) throw badRequest('into is required: the id of the order this one duplicates');
        if (into === o._id) throw badRequest('into: an order cannot be merged into itself');
        const target = await this.load(p, into).catch(() => {
          throw badRequest(`into: no work order "${into}" within your tenant`);
        });
        if (!OPEN_STATES.includes(target.state))
          throw conflict(`cannot merge into "${into}": it is ${target.state}`);
        if (target.category !== o.category)
          throw badRequest(`into: "${into}" is a ${target.category} report, this one is ${o.category}`);
        const upd = await this.col.updateOne(
          { _id: into, rev: target.rev },
          { $set: { rev: target.rev + 1, updatedAt: now }, $addToSet: { mergedFrom: o._id } },
        );
        if (!upd.matchedCount) throw conflict(`work order "${into}" was changed meanwhile; try again`);
        const after = {
          ...target,
          rev: target.rev + 1,
          mergedFrom: [...target.mergedFrom, o._id],
          updatedAt: now,
        };
        await this.recordAudit(p, 'merge-target', target, after);
        await this.events.publish(after);
        set.mergedInto = into;
        set.closedAt = at;
        note = `duplicate of ${into}`;
        break;
      }
      case 'rate': {
        if (o.reporter.userId !== p.id) throw forbidden('only the reporter can rate the result');
        if (o.rating != null) throw conflict('this work order has already been rated');
        const rating = body.rating;
        if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5)
          throw badRequest('rating must be an integer from 1 to 5');
        set.rating = rating;
        set.ratingComment = str('comment') || null;
        break;
      }
    }
    return this.serialize(await this.apply(p, o, action, t.to, set, note, newPhotos), p);
  }

  /** One conditional update on rev; then audit and event. Photos stored for a lost race are removed. */
  async apply(
    actor: Actor,
    o: WorkOrderDoc,
    action: string,
    to: WorkOrderState,
    set: Partial<WorkOrderDoc>,
    note?: string,
    newPhotos: WorkOrderPhoto[] = [],
  ): Promise<WorkOrderDoc> {
    const now = new Date();
    const entry: HistoryEntry = {
      at: now.toISOString(),
      action,
      by: { id: actor.id, username: actor.username, role: actor.role },
      from: o.state,
      to,
      ...(note ? { note } : {}),
    };
    const $set = { ...set, state: to, rev: o.rev + 1, updatedAt: now };
    const res = await this.col.updateOne({ _id: o._id, rev: o.rev }, {
      $set,
      $push: { history: entry, photos: { $each: newPhotos } },
    } as never);
    if (!res.matchedCount) {
      await this.dropPhotos(newPhotos);
      throw conflict(`work order "${o._id}" was changed meanwhile; reload and try again`);
    }
    const after: WorkOrderDoc = {
      ...o,
      ...$set,
      history: [...o.history, entry],
      photos: [...o.photos, ...newPhotos],
    };
    await this.recordAudit(actor, action, o, after);
    await this.events.publish(after);
    return after;
  }

  /**
   * Fixes of the responsible team's badges since dispatch: the handlers' presence at the place. Their last fixes
   * (device_state, read by id) settle it when one is near the place, the usual case of a handler who resolves on
   * site. Only otherwise is the track since dispatch read from telemetry, to find the nearest fix: on
   * FerretDB/SQLite that read scans the whole collection (seconds on a stack that has ingested for a while).
   */
  private async badgeTrack(o: WorkOrderDoc, now: Date): Promise<BadgeFix[]> {
    if (!o.teamId || !o.dispatchedAt) return [];
    const workers = await this.db
      .collection(COLLECTIONS.workers)
      .find({ teamId: o.teamId }, { projection: { _id: 1 } })
      .toArray();
    if (!workers.length) return [];
    const badges = await this.db
      .collection(COLLECTIONS.devices)
      .find({ kind: 'badge', workerId: { $in: workers.map((w) => w._id) } }, { projection: { _id: 1 } })
      .toArray();
    if (!badges.length) return [];
    const ids = badges.map((b) => String(b._id));
    const states = await Promise.all(
      ids.map((id) =>
        this.db
          .collection<{ _id: string; last?: StoredFix }>(COLLECTIONS.deviceState)
          .findOne({ _id: id }, { projection: { last: 1 } }),
      ),
    );
    const present = presenceFromLastFixes({
      location: o.location,
      dispatchedAt: o.dispatchedAt,
      now,
      lastFixes: states.flatMap((s) => (s ? toBadgeFixes([{ deviceId: s._id, ...s.last }]) : [])),
      maxDistanceM: this.config.WO_CLOSEOUT_MAX_DISTANCE_M,
    });
    if (present) return present;
    const fixes = await this.db
      .collection(COLLECTIONS.telemetry)
      .find(
        { deviceId: { $in: ids }, ts: { $gte: new Date(o.dispatchedAt), $lte: now } },
        { projection: { deviceId: 1, ts: 1, loc: 1 }, limit: 5000 },
      )
      .toArray();
    return toBadgeFixes(fixes as StoredFix[]);
  }

  // ---------- calendars and routing rules ----------

  private async contractInScope(p: Principal, contractId: string) {
    const s = await this.resources.scope(p, 'contracts');
    const c = await this.db
      .collection(COLLECTIONS.contracts)
      .findOne(Object.keys(s).length ? { $and: [{ _id: contractId }, s] } : { _id: contractId as never });
    if (!c) throw new DomainError(404, `contract "${contractId}" not found`);
    return c;
  }

  async listCalendars(p: Principal) {
    const s = await this.resources.scope(p, 'contracts');
    const contracts = await this.db
      .collection(COLLECTIONS.contracts)
      .find(s, { projection: { _id: 1 } })
      .toArray();
    const stored = await this.db
      .collection(COLLECTIONS.workOrderCalendars)
      .find({ _id: { $in: contracts.map((c) => c._id) } })
      .toArray();
    const byId = new Map(stored.map((c) => [String(c._id), c]));
    return contracts.map((c) => this.calendarView(String(c._id), byId.get(String(c._id)) ?? null));
  }

  private calendarView(contractId: string, stored: Record<string, unknown> | null) {
    return {
      id: contractId,
      contractId,
      ...(stored ? toCalendar(stored) : DEFAULT_CALENDAR),
      version: (stored?.version as number | undefined) ?? 0,
      categories: WORK_ORDER_CATEGORIES.map((c) => ({
        code: c.code,
        ...((stored ? toCalendar(stored) : DEFAULT_CALENDAR).deadlines[c.code] ?? {
          dueMin: c.dueMin,
          redMin: c.redMin,
        }),
      })),
    };
  }

  async getCalendar(p: Principal, contractId: string) {
    await this.contractInScope(p, contractId);
    const c = await this.db.collection(COLLECTIONS.workOrderCalendars).findOne({ _id: contractId as never });
    return this.calendarView(contractId, c);
  }

  async putCalendar(p: Principal, contractId: string, body: Record<string, unknown>) {
    if (p.role === 'dispatcher')
      throw forbidden('dispatchers declare pauses; hours, holidays and deadlines are set by managers');
    const contract = await this.contractInScope(p, contractId);
    const current = await this.calendarOf(contractId);
    const next: WorkCalendar = {
      ...current,
      ...pick(body, ['utcOffsetMin', 'workDays', 'start', 'end', 'holidays', 'extraWorkdays', 'deadlines']),
    } as WorkCalendar;
    const unknown = Object.keys(body).filter(
      (k) =>
        ![
          'utcOffsetMin',
          'workDays',
          'start',
          'end',
          'holidays',
          'extraWorkdays',
          'deadlines',
          'id',
          'contractId',
          'version',
          'categories',
          'pauses',
        ].includes(k),
    );
    const shapeProblems = unknown.map((k) => `property ${k} should not exist`);
    if (!Array.isArray(next.workDays) || !Array.isArray(next.holidays) || !Array.isArray(next.extraWorkdays))
      shapeProblems.push('workDays, holidays and extraWorkdays must be arrays');
    if (typeof next.deadlines !== 'object' || next.deadlines === null || Array.isArray(next.deadlines))
      shapeProblems.push('deadlines must be an object {category: {dueMin, redMin}}');
    else
      for (const k of Object.keys(next.deadlines))
        if (!categoryByCode(k)) shapeProblems.push(`deadlines.${k}: unknown category`);
    failIf(shapeProblems);
    failIf(calendarProblems(next));
    return this.saveCalendar(p, contract, next, 'calendar.update');
  }

  async addPause(p: Principal, contractId: string, body: Record<string, unknown>) {
    const contract = await this.contractInScope(p, contractId);
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    const from = typeof body.from === 'string' ? body.from : new Date().toISOString();
    const to = typeof body.to === 'string' ? body.to : null;
    const problems: string[] = [];
    if (!reason) problems.push('reason is required (e.g. typhoon warning)');
    if (Number.isNaN(Date.parse(from))) problems.push('from must be an ISO date-time');
    if (to !== null && !(Date.parse(to) > Date.parse(from)))
      problems.push('to must be an ISO date-time after from');
    failIf(problems);
    const cal = await this.calendarOf(contractId);
    const pause = {
      id: randomBytes(6).toString('hex'),
      reason,
      from: new Date(from).toISOString(),
      to: to && new Date(to).toISOString(),
    };
    return this.saveCalendar(p, contract, { ...cal, pauses: [...cal.pauses, pause] }, 'calendar.pause');
  }

  async endPause(p: Principal, contractId: string, pauseId: string) {
    const contract = await this.contractInScope(p, contractId);
    const cal = await this.calendarOf(contractId);
    const pause = cal.pauses.find((x) => x.id === pauseId);
    if (!pause) throw new DomainError(404, `pause "${pauseId}" not found in the calendar of "${contractId}"`);
    if (pause.to !== null && Date.parse(pause.to) <= Date.now())
      throw conflict(`pause "${pauseId}" has already ended`);
    const now = new Date().toISOString();
    const pauses = cal.pauses.map((x) => (x.id === pauseId ? { ...x, to: now < x.from ? x.from : now } : x));
    return this.saveCalendar(p, contract, { ...cal, pauses }, 'calendar.resume');
  }

  private async saveCalendar(
    p: Principal,
    contract: Record<string, unknown>,
    cal: WorkCalendar,
    action: string,
  ) {
    const contractId = String(contract._id);
    const col = this.db.collection(COLLECTIONS.workOrderCalendars);
    const before = await col.findOne({ _id: contractId as never });
    const version = ((before?.version as number | undefined) ?? 0) + 1;
    const doc = {
      ...cal,
      contractId,
      operatorId: contract.operatorId,
      agencyId: contract.agencyId,
      version,
      updatedAt: new Date(),
      updatedBy: p.id,
    };
    const res = await col.updateOne(
      { _id: contractId as never, version: before ? (before.version as number) : { $exists: false } },
      { $set: doc },
      { upsert: !before },
    );
    if (!res.matchedCount && !res.upsertedCount)
      throw conflict(`the calendar of "${contractId}" was changed meanwhile; reload and try again`);
    await this.audit.record({
      actor: p,
      action,
      resource: 'calendars',
      resourceId: contractId,
      before,
      after: doc,
      scope: { operatorId: contract.operatorId, agencyId: contract.agencyId },
    });
    const recomputed = await this.recomputeDeadlines(contractId, cal);
    return { ...this.calendarView(contractId, doc), recomputedOrders: recomputed };
  }

  /** New deadlines for every order on the clock in a contract whose calendar changed; the worker re-times them. */
  async recomputeDeadlines(contractId: string, cal: WorkCalendar): Promise<number> {
    const open = await this.col
      .find({ contractId, state: { $in: [...CLOCK_STATES] } }, { projection: { history: 0 } })
      .toArray();
    let n = 0;
    for (const o of open) {
      const cat = categoryByCode(o.category);
      if (!cat || !o.dispatchedAt) continue;
      const d = computeDeadlines(o.dispatchedAt, cat, cal);
      if (d.dueAt === (o.dueAt ?? null) && d.redAt === (o.redDueAt ?? null)) continue;
      const set = { dueAt: d.dueAt, redDueAt: d.redAt, deadlineVersion: o.deadlineVersion + 1 };
      const res = await this.col.updateOne(
        { _id: o._id, rev: o.rev },
        { $set: { ...set, rev: o.rev + 1, updatedAt: new Date() } },
      );
      if (!res.matchedCount) continue; // changed meanwhile: that change's own event carries fresh deadlines
      n++;
      await this.events.publish({ ...(o as WorkOrderDoc), ...set, rev: o.rev + 1 });
    }
    return n;
  }

  async getRouting(p: Principal, contractId: string) {
    await this.contractInScope(p, contractId);
    return { id: contractId, contractId, rules: await this.rulesOf(contractId) };
  }

  async putRouting(p: Principal, contractId: string, body: Record<string, unknown>) {
    const contract = await this.contractInScope(p, contractId);
    const rules = body.rules;
    if (!Array.isArray(rules)) throw badRequest('rules must be an array of {category, teamId, zoneId?}');
    const problems: string[] = [];
    const clean: RoutingRule[] = [];
    for (const [k, r] of rules.entries()) {
      const x = r as Record<string, unknown>;
      if (typeof x !== 'object' || x === null) {
        problems.push(`rules[${k}] must be an object`);
        continue;
      }
      if (typeof x.category !== 'string' || !categoryByCode(x.category))
        problems.push(`rules[${k}].category is not a known category`);
      const team =
        typeof x.teamId === 'string'
          ? await this.db.collection(COLLECTIONS.teams).findOne({ _id: x.teamId as never, contractId })
          : null;
      if (!team)
        problems.push(`rules[${k}].teamId: no team "${String(x.teamId)}" in contract "${contractId}"`);
      if (x.zoneId !== undefined) {
        const zone =
          typeof x.zoneId === 'string'
            ? await this.db.collection(COLLECTIONS.zones).findOne({ _id: x.zoneId as never, contractId })
            : null;
        if (!zone)
          problems.push(`rules[${k}].zoneId: no zone "${String(x.zoneId)}" in contract "${contractId}"`);
      }
      clean.push({
        category: String(x.category),
        teamId: String(x.teamId),
        ...(x.zoneId ? { zoneId: String(x.zoneId) } : {}),
      });
    }
    failIf(problems);
    const col = this.db.collection(COLLECTIONS.workOrderRouting);
    const before = await col.findOne({ _id: contractId as never });
    const doc = {
      rules: clean,
      contractId,
      operatorId: contract.operatorId,
      agencyId: contract.agencyId,
      updatedAt: new Date(),
    };
    await col.updateOne({ _id: contractId as never }, { $set: doc }, { upsert: true });
    await this.audit.record({
      actor: p,
      action: 'update',
      resource: 'routing-rules',
      resourceId: contractId,
      before,
      after: doc,
      scope: { operatorId: contract.operatorId, agencyId: contract.agencyId },
    });
    return { id: contractId, contractId, rules: clean };
  }

  // ---------- Open311 ----------

  /** The integration behind an api_key (stored as its SHA-256), or null. */
  async integration(apiKey: string) {
    if (!apiKey) return null;
    const k = await this.db
      .collection(COLLECTIONS.open311Keys)
      .findOne({ keyHash: hashKey(apiKey), enabled: { $ne: false } });
    return k;
  }

  newToken() {
    return randomBytes(12).toString('hex');
  }

  async byToken(token: string) {
    return this.col.findOne({ token }, { projection: { _id: 1, token: 1 } });
  }

  /** Open311 reads show civic reports only: orders opened from staff alarms (SOS …) are not public. */
  async publicList(filter: Record<string, unknown>, limit: number) {
    return this.col
      .find(
        { ...filter, source: { $ne: 'alarm' } },
        { projection: { history: 0 }, sort: { reportedAt: -1 }, limit },
      )
      .toArray();
  }

  async publicGet(id: string) {
    return this.col.findOne({ _id: id, source: { $ne: 'alarm' } }, { projection: { history: 0 } });
  }

  async names(ids: { agencyIds: string[]; teamIds: string[] }) {
    const [agencies, teams] = await Promise.all([
      this.db
        .collection(COLLECTIONS.agencies)
        .find({ _id: { $in: ids.agencyIds as never[] } })
        .toArray(),
      this.db
        .collection(COLLECTIONS.teams)
        .find({ _id: { $in: ids.teamIds as never[] } })
        .toArray(),
    ]);
    return {
      agency: new Map(agencies.map((a) => [String(a._id), String(a.name)])),
      team: new Map(teams.map((t) => [String(t._id), String(t.name)])),
    };
  }
}

function pick(o: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

function toCalendar(d: Record<string, unknown>): WorkCalendar {
  return {
    utcOffsetMin: (d.utcOffsetMin as number) ?? DEFAULT_CALENDAR.utcOffsetMin,
    workDays: (d.workDays as number[]) ?? DEFAULT_CALENDAR.workDays,
    start: (d.start as string) ?? DEFAULT_CALENDAR.start,
    end: (d.end as string) ?? DEFAULT_CALENDAR.end,
    holidays: (d.holidays as string[]) ?? [],
    extraWorkdays: (d.extraWorkdays as string[]) ?? [],
    pauses: (d.pauses as WorkCalendar['pauses']) ?? [],
    deadlines: (d.deadlines as WorkCalendar['deadlines']) ?? {},
  };
}

/** What the audit log keeps of an order: its state and decisions, not the whole history again. */
function snapshot(o: WorkOrderDoc) {
  const { history: _h, closeOut, photos, ...rest } = o;
  return {
    ...rest,
    photos: photos.map((p) => p.id),
    closeOut: closeOut ? { ok: closeOut.ok, problems: closeOut.problems } : null,
  };
}

interface StoredFix {
  deviceId?: unknown;
  ts?: unknown;
  loc?: { coordinates?: unknown };
}

/** Stored fixes (telemetry records, device_state's `last`) with a position, as close-out evidence. */
function toBadgeFixes(rows: StoredFix[]): BadgeFix[] {
  return rows
    .filter((f) => f.ts instanceof Date && Array.isArray(f.loc?.coordinates))
    .map((f) => {
      const [lng, lat] = f.loc!.coordinates as number[];
      return {
        deviceId: String(f.deviceId),
        ts: (f.ts as Date).toISOString(),
        lng: Number(lng),
        lat: Number(lat),
      };
    });
}
