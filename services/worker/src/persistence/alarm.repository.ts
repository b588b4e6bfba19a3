import { randomUUID } from 'node:crypto';
import type { Db, Document } from 'mongodb';
import type { DeviceAlarmState } from '../alarms/rules';
import type { AlarmDoc } from '../tasks/events';
import { bulkWriteInCommands } from '@dwg/persistence';
import { WORKER_COLLECTIONS } from './collections';

const isDuplicate = (e: unknown) => (e as { code?: number }).code === 11000;

/**
 * Alarms and the per-device rule state. One open alarm per condition: `openKey` has a unique index and holds the
 * condition's key while it is active; clearing or closing releases it (`${key}#${_id}`), so the next occurrence
 * opens a new alarm. Any replica may race to raise the same condition: the index lets one win.
 */
export class AlarmRepository {
  constructor(private readonly db: Db) {}

  get col() {
    return this.db.collection<AlarmDoc>(WORKER_COLLECTIONS.alarms);
  }
  private get state() {
    return this.db.collection<DeviceAlarmState & { _id: string }>(WORKER_COLLECTIONS.alarmState);
  }

  /** Keys of the conditions currently active. */
  async activeKeys(): Promise<Set<string>> {
    const rows = await this.col.find({ active: true }, { projection: { key: 1 } }).toArray();
    return new Set(rows.map((r) => r.key));
  }

  /** Opens an alarm for the condition unless one is active; returns it when this call opened it. */
  async raise(
    a: Omit<AlarmDoc, '_id' | 'openKey' | 'active' | 'rev' | 'status' | 'history'>,
  ): Promise<AlarmDoc | null> {
    const doc: AlarmDoc = {
      ...a,
      _id: `alm-${randomUUID()}`,
      openKey: a.key,
      active: true,
      rev: 1,
      status: 'open',
      history: [{ status: 'open', at: a.openedAt, by: 'system', comment: a.message }],
    };
    try {
      await this.col.insertOne(doc);
      return doc;
    } catch (e) {
      if (isDuplicate(e)) return null;
      throw e;
    }
  }

  /** The condition stopped holding: release its key; the alarm stays for a person to close. */
  async clear(key: string, at: Date): Promise<AlarmDoc | null> {
    const cur = await this.col.findOne({ openKey: key });
    if (!cur) return null;
    const res = await this.col.findOneAndUpdate(
      { _id: cur._id, openKey: key },
      { $set: { openKey: `${key}#${cur._id}`, active: false, clearedAt: at }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    );
    return res ?? null;
  }

  async states(deviceIds: string[]): Promise<Map<string, DeviceAlarmState>> {
    if (!deviceIds.length) return new Map();
    const rows = await this.state.find({ _id: { $in: deviceIds } }).toArray();
    return new Map(rows.map(({ _id, ...s }) => [_id, s]));
  }

  async saveStates(states: Map<string, DeviceAlarmState>): Promise<void> {
    await bulkWriteInCommands(
      this.state,
      [...states].map(([id, s]) => ({
        replaceOne: { filter: { _id: id }, replacement: s as Document, upsert: true },
      })),
    );
  }
}
