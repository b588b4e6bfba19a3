import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { COLLECTIONS } from '@dwg/persistence';
import { AuditService } from '../audit/audit.service';
import { Act, CurrentUser, ResourceOf } from '../auth/decorators';
import { badRequest, DomainError } from '../common/domain-error';
import type { Principal } from '../policy/principal';
import { MONGO } from '../tokens';
import { hashKey } from './api-keys';

/** Open311 integrations: the key is shown once at issue and stored as its SHA-256 only. Admin only. */
@ApiTags('open311')
@ApiBearerAuth()
@ResourceOf('open311-keys')
@Controller('api/open311-keys')
export class Open311KeysController {
  constructor(
    @Inject(MONGO) private readonly mongo: { db: Db },
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  private get col() {
    return this.mongo.db.collection(COLLECTIONS.open311Keys);
  }

  @Get()
  @Act('read')
  @ApiOperation({ summary: 'Open311 integrations (without their keys)' })
  async list() {
    const rows = await this.col.find({}, { projection: { keyHash: 0 } }).toArray();
    return rows.map(({ _id, ...r }) => ({ id: _id, ...r }));
  }

  @Post()
  @Act('write')
  @ApiOperation({
    summary:
      'Issue a key {name, operatorId?, agencyId?}: reports outside every zone wait in that operator’s screening queue. The key is in the answer only',
  })
  async issue(@CurrentUser() p: Principal, @Body() body: Record<string, unknown>) {
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (!name) throw badRequest('name is required');
    const ref = async (field: 'operatorId' | 'agencyId', collection: string) => {
      const v = body[field];
      if (v === undefined) return null;
      if (typeof v !== 'string' || !(await this.mongo.db.collection(collection).findOne({ _id: v as never })))
        throw badRequest(
          `${field}: no such ${field === 'operatorId' ? 'operator' : 'agency'} "${String(v)}"`,
        );
      return v;
    };
    const operatorId = await ref('operatorId', COLLECTIONS.operators);
    const agencyId = await ref('agencyId', COLLECTIONS.agencies);
    const apiKey = randomBytes(24).toString('base64url');
    const doc = {
      _id: `open311-${randomBytes(6).toString('hex')}`,
      name,
      keyHash: hashKey(apiKey),
      operatorId,
      agencyId,
      enabled: true,
      createdAt: new Date(),
      createdBy: p.id,
    };
    await this.col.insertOne(doc as never);
    const { keyHash: _k, _id, ...shown } = doc;
    await this.audit.record({
      actor: p,
      action: 'create',
      resource: 'open311-keys',
      resourceId: _id,
      before: null,
      after: { _id, ...shown },
      scope: { operatorId, agencyId },
    });
    return { id: _id, ...shown, apiKey };
  }

  @Post(':id/disable')
  @Act('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable an integration: its key stops working at once' })
  async disable(@CurrentUser() p: Principal, @Param('id') id: string) {
    const before = await this.col.findOne({ _id: id as never }, { projection: { keyHash: 0 } });
    if (!before) throw new DomainError(404, `Open311 integration "${id}" not found`);
    await this.col.updateOne({ _id: id as never }, { $set: { enabled: false } });
    const after = { ...before, enabled: false };
    await this.audit.record({
      actor: p,
      action: 'disable',
      resource: 'open311-keys',
      resourceId: id,
      before,
      after,
      scope: { operatorId: before.operatorId, agencyId: before.agencyId },
    });
    const { _id, ...rest } = after;
    return { id: _id, ...rest };
  }
}
