import bcrypt from 'bcryptjs';
import type { Db } from 'mongodb';
import { hashSecret, verifySecret, type SecretHash } from '@dwg/device-registry';
import { COLLECTIONS, ensureIndexes } from '@dwg/persistence';
import { AuditRepository } from '../audit/audit.repository';
import { encodeDoc } from '../resources/resource.repository';
import { plainSnapshot } from '../audit/audit-chain';
import { buildDemo, demoDeviceSecret, DEMO_DEVICE_KEY, type DemoData } from './demo-world';
import { buildDemoWorkOrders, DEMO_OPEN311_KEY } from './demo-work-orders';
import { hashKey } from '../work-orders/api-keys';

export interface SeedOptions {
  deviceKey?: string;
  bcryptCost?: number;
  now?: Date;
}

export interface SeedResult {
  inserted: Record<string, number>;
  existing: Record<string, number>;
  devices: { deviceId: string; kind: 'gps' | 'badge'; secret: string }[];
  users: { username: string; password: string; role: string; tenant: string }[];
  data: DemoData;
  open311ApiKey: string;
}

const SEED_ACTOR = { id: 'seed', username: 'seed', role: 'admin' };

/**
 * Writes the demo data, inserting only what is missing: seeding a seeded database changes nothing, and existing
 * users keep their passwords. Parents are written before children (operators … shifts), so an interrupted run
 * leaves no dangling reference and the next run completes it. Each batch gets one audit entry per contract.
 */
export async function seedDemo(
  db: Db,
  brokerSync: () => Promise<void>,
  opts: SeedOptions = {},
): Promise<SeedResult> {
  await ensureIndexes(db);
  const data = buildDemo();
  const now = opts.now ?? new Date();
  const audit = new AuditRepository(db);
  const inserted: Record<string, number> = {};
  const existing: Record<string, number> = {};

  async function insertMissing(resource: string, collection: string, docs: Record<string, unknown>[]) {
    const col = db.collection<Record<string, unknown> & { _id: string }>(collection);
    const ids = docs.map((d) => d._id as string);
    const have = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const found = await col
        .find({ _id: { $in: ids.slice(i, i + 500) } }, { projection: { _id: 1 } })
        .toArray();
      found.forEach((f) => have.add(f._id));
    }
    const missing: Record<string, unknown>[] = docs
      .filter((d) => !have.has(d._id as string))
      .map((d) => ({ ...d, createdAt: now, updatedAt: now, createdBy: 'seed', updatedBy: 'seed' }));
    existing[resource] = have.size;
    inserted[resource] = missing.length;
    return missing;
  }

  async function auditBatch(resource: string, docs: Record<string, unknown>[]) {
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const d of docs) {
      const key = `${d.operatorId ?? (resource === 'operators' ? d._id : '')}|${d.agencyId ?? (resource === 'agencies' ? d._id : '')}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    for (const [key, group] of groups) {
      const [operatorId, agencyId] = key.split('|');
      await audit.append({
        at: new Date().toISOString(),
        actor: SEED_ACTOR,
        action: 'seed',
        resource,
        resourceId: group.length === 1 ? String(group[0]._id) : `${group.length} records`,
        before: null,
        after: plainSnapshot({ count: group.length, ids: group.map((g) => g._id) }),
        scope: { operatorId: operatorId || null, agencyId: agencyId || null },
      });
    }
  }

  const plain: [string, string, Record<string, unknown>[]][] = [
    ['operators', COLLECTIONS.operators, data.operators],
    ['agencies', COLLECTIONS.agencies, data.agencies],
    ['contracts', COLLECTIONS.contracts, data.contracts],
    ['zones', COLLECTIONS.zones, data.zones],
    ['routes', COLLECTIONS.routes, data.routes],
    ['sites', COLLECTIONS.sites, data.sites],
    ['teams', COLLECTIONS.teams, data.teams],
    ['vehicles', COLLECTIONS.vehicles, data.vehicles],
    ['workers', COLLECTIONS.workers, data.workers],
  ];
  for (const [resource, collection, docs] of plain) {
    const missing = await insertMissing(resource, collection, docs);
    if (missing.length === 0) continue;
    await db
      .collection(collection)
      .insertMany(missing.map((d) => encodeDoc(d)) as never[], { ordered: true });
    await auditBatch(resource, missing);
  }

  // Devices: written in the registry's own format (kind, enabled, PBKDF2 hash of the deterministic secret) with the
  // api's binding fields, in batches: FerretDB is very slow at the registry's one-upsert-per-device bulk. The
  // broker's files are regenerated once at the end.
  const key = opts.deviceKey ?? DEMO_DEVICE_KEY;
  const creds = data.devices.map((d) => ({
    deviceId: d._id,
    kind: d.kind,
    secret: demoDeviceSecret(d._id, key),
  }));
  const secretOf = new Map(creds.map((c) => [c.deviceId, c.secret]));
  const missingDevices = await insertMissing('devices', COLLECTIONS.devices, data.devices);
  if (missingDevices.length < data.devices.length) {
    // A device that exists with another secret (rotated through the api) keeps it; the file says so.
    const stored = await db
      .collection<SecretHash & { _id: string }>(COLLECTIONS.devices)
      .find(
        { _id: { $in: data.devices.map((d) => d._id) } },
        { projection: { secretHash: 1, secretSalt: 1, iterations: 1 } },
      )
      .toArray();
    for (const s of stored) {
      const c = creds.find((x) => x.deviceId === s._id)!;
      if (!s.secretHash || !verifySecret(c.secret, s)) c.secret = '(rotated: not the demo secret)';
    }
  }
  for (let i = 0; i < missingDevices.length; i += 100) {
    const batch = missingDevices
      .slice(i, i + 100)
      .map((d) => ({ ...d, enabled: true, ...hashSecret(secretOf.get(String(d._id))!) }));
    await db.collection(COLLECTIONS.devices).insertMany(batch as never[], { ordered: true });
  }
  if (missingDevices.length) {
    await brokerSync();
    await auditBatch('devices', missingDevices);
  }

  const missingShifts = await insertMissing('shifts', COLLECTIONS.shifts, data.shifts);
  if (missingShifts.length) {
    await db.collection(COLLECTIONS.shifts).insertMany(missingShifts as never[], { ordered: true });
    await auditBatch('shifts', missingShifts);
  }

  // Users: only missing usernames are created; an existing account is never touched (its password may have changed).
  const users = db.collection(COLLECTIONS.users);
  const newUsers: Record<string, unknown>[] = [];
  let existingUsers = 0;
  for (const u of data.users) {
    if (await users.findOne({ username: u.username }, { projection: { _id: 1 } })) {
      existingUsers++;
      continue;
    }
    const { password, tenant: _tenant, ...rest } = u;
    newUsers.push({
      ...rest,
      disabled: false,
      passwordHash: await bcrypt.hash(password, opts.bcryptCost ?? 10),
      tokenVersion: 0,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
      createdBy: 'seed',
      updatedBy: 'seed',
    });
  }
  inserted.users = newUsers.length;
  existing.users = existingUsers;
  if (newUsers.length) {
    await users.insertMany(newUsers, { ordered: false });
    await auditBatch(
      'users',
      newUsers.map(({ passwordHash: _h, failedLogins: _f, lockedUntil: _l, tokenVersion: _t, ...u }) => u),
    );
  }

  // Work orders: calendars with demo-shortened deadlines, routing rules, and the Open311 key of the 12345 bridge.
  const wo = buildDemoWorkOrders(data);
  for (const [resource, collection, docs] of [
    ['calendars', COLLECTIONS.workOrderCalendars, wo.calendars],
    ['routing-rules', COLLECTIONS.workOrderRouting, wo.routing],
  ] as [string, string, Record<string, unknown>[]][]) {
    const missing = await insertMissing(resource, collection, docs);
    if (!missing.length) continue;
    await db.collection(collection).insertMany(missing as never[], { ordered: true });
    await auditBatch(resource, missing);
  }
  const open311Key = {
    _id: 'open311-12345-bridge',
    name: '12345 hotline bridge',
    keyHash: hashKey(DEMO_OPEN311_KEY),
    // Reports outside every zone wait in this operator's screening queue; the agency follows them.
    operatorId: 'op-yuncheng',
    agencyId: 'ag-baiyun-cg',
    enabled: true,
  };
  const missingKeys = await insertMissing('open311-keys', COLLECTIONS.open311Keys, [open311Key]);
  if (missingKeys.length) {
    await db.collection(COLLECTIONS.open311Keys).insertMany(missingKeys as never[]);
    await auditBatch(
      'open311-keys',
      missingKeys.map(({ keyHash: _k, ...k }) => k),
    );
  }

  return {
    inserted,
    existing,
    open311ApiKey: DEMO_OPEN311_KEY,
    devices: creds,
    users: data.users.map((u) => ({
      username: u.username,
      password: u.password,
      role: u.role,
      tenant: u.tenant,
    })),
    data,
  };
}
