import type { Collection, Db } from 'mongodb';
import { DEVICE_ID_PATTERN, DEVICE_KINDS, type DeviceKind } from '@dwg/contracts';
import { COLLECTIONS, bulkWriteInCommands } from '@dwg/persistence';
import { generateSecret, hashSecret, type SecretHash } from './secret';

export interface DeviceDoc extends SecretHash {
  _id: string;
  kind: DeviceKind;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  [extra: string]: unknown;
}

export interface IssuedCredential {
  deviceId: string;
  kind: DeviceKind;
  /** Shown once: only the hash is stored. */
  secret: string;
}

export class DeviceRegistryError extends Error {}

/** Reacts to registry changes, e.g. by regenerating the broker's password and ACL files. */
export interface BrokerAuthSync {
  sync(): Promise<void>;
}

/** The registry of devices allowed to connect to the broker: ids, kinds, hashed secrets and the enabled flag. */
export class DeviceRegistry {
  private readonly col: Collection<DeviceDoc>;

  constructor(
    db: Db,
    private readonly brokerAuth: BrokerAuthSync | null = null,
  ) {
    this.col = db.collection<DeviceDoc>(COLLECTIONS.devices);
  }

  static validate(deviceId: string, kind: string): void {
    if (!DEVICE_ID_PATTERN.test(deviceId))
      throw new DeviceRegistryError(
        `device id "${deviceId}" must be 3-64 characters of A-Z, a-z, 0-9, _ or -`,
      );
    if (!(DEVICE_KINDS as readonly string[]).includes(kind))
      throw new DeviceRegistryError(`device kind "${kind}" must be one of ${DEVICE_KINDS.join(', ')}`);
  }

  /** Registers devices (or re-issues their secrets when they exist) and returns each plain secret once. */
  async provision(
    devices: { deviceId: string; kind: DeviceKind; secret?: string }[],
  ): Promise<IssuedCredential[]> {
    const now = new Date();
    const issued: IssuedCredential[] = [];
    const ops = devices.map((d) => {
      DeviceRegistry.validate(d.deviceId, d.kind);
      const secret = d.secret ?? generateSecret();
      issued.push({ deviceId: d.deviceId, kind: d.kind, secret });
      return {
        updateOne: {
          filter: { _id: d.deviceId },
          update: {
            $set: { kind: d.kind, enabled: true, ...hashSecret(secret), updatedAt: now },
            $setOnInsert: { createdAt: now },
          },
          upsert: true,
        },
      };
    });
    await bulkWriteInCommands(this.col, ops);
    await this.brokerAuth?.sync();
    return issued;
  }

  async setEnabled(deviceId: string, enabled: boolean): Promise<void> {
    const res = await this.col.updateOne({ _id: deviceId }, { $set: { enabled, updatedAt: new Date() } });
    if (res.matchedCount === 0) throw new DeviceRegistryError(`device "${deviceId}" is not registered`);
    await this.brokerAuth?.sync();
  }

  async get(deviceId: string): Promise<DeviceDoc | null> {
    return this.col.findOne({ _id: deviceId });
  }

  /** Enabled devices with only what the broker needs; streamed so large fleets do not load at once. */
  enabledCursor() {
    return this.col.find(
      { enabled: true },
      { projection: { kind: 1, secretHash: 1, secretSalt: 1, iterations: 1 }, sort: { _id: 1 } },
    );
  }

  /** Cheap fingerprint that changes whenever a device is added, removed or updated. */
  async fingerprint(): Promise<string> {
    const [count, latest] = await Promise.all([
      this.col.countDocuments({}),
      this.col.find({}, { projection: { updatedAt: 1 }, sort: { updatedAt: -1 }, limit: 1 }).toArray(),
    ]);
    return `${count}:${latest[0]?.updatedAt?.getTime() ?? 0}`;
  }

  /** Removes a device; the broker refuses it from the next sync on. Returns whether it existed. */
  async remove(deviceId: string): Promise<boolean> {
    const res = await this.col.deleteOne({ _id: deviceId });
    if (res.deletedCount > 0) await this.brokerAuth?.sync();
    return res.deletedCount > 0;
  }
}
