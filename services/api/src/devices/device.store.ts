import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import type { DeviceKind } from '@dwg/contracts';
import { DeviceRegistry, type IssuedCredential } from '@dwg/device-registry';
import { COLLECTIONS } from '@dwg/persistence';
import type { Doc, ResourceStore } from '../resources/resource-def';
import { DEVICE_REGISTRY, MONGO } from '../tokens';

/**
 * Devices live in the registry's `devices` collection (the broker authenticates against it), extended with the
 * api's fields (contract, tenant, binding). Secrets and the enabled flag only change through the registry, so
 * that the local broker's password file is regenerated on every change.
 */
@Injectable()
export class DeviceStore implements ResourceStore {
  private readonly col: Collection<Doc>;

  constructor(
    @Inject(MONGO) mongo: { db: Db },
    @Inject(DEVICE_REGISTRY) private readonly registry: DeviceRegistry,
  ) {
    this.col = mongo.db.collection<Doc>(COLLECTIONS.devices);
  }

  /**
   * Inserts the device disabled and without a secret (a duplicate id fails here, before anything else), then has
   * the registry issue its secret and enable it. If that fails, the half-made device is removed again.
   */
  async insert(doc: Doc): Promise<Record<string, unknown>> {
    const wantEnabled = doc.enabled !== false;
    await this.col.insertOne({ ...doc, enabled: false });
    try {
      const [cred] = await this.registry.provision([{ deviceId: doc._id, kind: doc.kind as DeviceKind }]);
      if (!wantEnabled) await this.registry.setEnabled(doc._id, false);
      doc.enabled = wantEnabled;
      return { secret: cred.secret };
    } catch (e) {
      await this.col.deleteOne({ _id: doc._id });
      throw e;
    }
  }

  async update(
    filter: Record<string, unknown>,
    set: Record<string, unknown>,
    unset: string[],
  ): Promise<boolean> {
    const { enabled, ...rest } = set;
    const update: Record<string, unknown> = { $set: rest };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
    const res = await this.col.updateOne(filter, update);
    if (res.matchedCount === 0) return false;
    if (typeof enabled === 'boolean') await this.registry.setEnabled(String(filter._id), enabled);
    return true;
  }

  async remove(id: string): Promise<boolean> {
    return this.registry.remove(id);
  }

  async restore(doc: Doc): Promise<void> {
    await this.col.replaceOne({ _id: doc._id }, doc, { upsert: true });
    await this.registry.setEnabled(doc._id, doc.enabled === true);
  }

  /** Issues a new secret (shown once) and keeps the device's enabled state as it was. */
  async rotate(id: string, kind: DeviceKind, enabled: boolean): Promise<IssuedCredential> {
    const [cred] = await this.registry.provision([{ deviceId: id, kind }]);
    if (!enabled) await this.registry.setEnabled(id, false);
    return cred;
  }
}
