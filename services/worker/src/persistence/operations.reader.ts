import type { Db, Document } from 'mongodb';
import { COLLECTIONS } from '@dwg/persistence';
import type { OperationsModel } from '../tasks/model';

/** The api stores GeoJSON geometry as JSON text (FerretDB v1 stores no nested arrays); parse it back. */
function decode<T>(d: Document): T {
  return (typeof d.geometry === 'string' ? { ...d, geometry: JSON.parse(d.geometry) } : d) as T;
}

/**
 * Reads the api's operations model for task generation and alarm context. The worker only reads these
 * collections; the api owns them.
 */
export class OperationsReader {
  constructor(private readonly db: Db) {}

  private async all<T>(collection: string, filter: Document = {}): Promise<T[]> {
    const rows = await this.db.collection(collection).find(filter).toArray();
    return rows.map((r) => decode<T>(r));
  }

  async model(): Promise<OperationsModel> {
    const [contracts, zones, routes, sites, teams, vehicles, workers, devices, shifts] = await Promise.all([
      this.all<OperationsModel['contracts'][number]>(COLLECTIONS.contracts),
      this.all<OperationsModel['zones'][number]>(COLLECTIONS.zones),
      this.all<OperationsModel['routes'][number]>(COLLECTIONS.routes),
      this.all<OperationsModel['sites'][number]>(COLLECTIONS.sites),
      this.all<OperationsModel['teams'][number]>(COLLECTIONS.teams),
      this.all<OperationsModel['vehicles'][number]>(COLLECTIONS.vehicles),
      this.all<OperationsModel['workers'][number]>(COLLECTIONS.workers),
      this.db
        .collection(COLLECTIONS.devices)
        .find({}, { projection: { kind: 1, contractId: 1, vehicleId: 1, workerId: 1, enabled: 1 } })
        .toArray() as Promise<never>,
      this.all<OperationsModel['shifts'][number]>(COLLECTIONS.shifts),
    ]);
    return { contracts, zones, routes, sites, teams, vehicles, workers, devices, shifts };
  }

  async contracts(): Promise<OperationsModel['contracts']> {
    return this.all(COLLECTIONS.contracts);
  }

  async zones(ids: string[]): Promise<OperationsModel['zones']> {
    return ids.length ? this.all(COLLECTIONS.zones, { _id: { $in: ids } }) : [];
  }
}
