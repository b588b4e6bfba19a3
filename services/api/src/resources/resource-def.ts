import type { ListSpec } from '../common/list-query';
import type { Principal } from '../policy/principal';
import type { ResourceName } from '../policy/roles';

export type Doc = Record<string, unknown> & { _id: string };

/** What a definition may use while turning a validated body into a stored document. */
export interface BuildContext {
  principal: Principal;
  /** The document's contract (contract-scoped resources), already found within the principal's scope. */
  contract: Doc | null;
  /** The stored document on update, null on create. */
  existing: Doc | null;
  /** Unscoped lookup by id, for references; scoping of the result is up to the caller (see sameContract). */
  find(collection: string, id: string): Promise<Doc | null>;
  /** Loads a referenced document and checks that it belongs to the same contract; throws a 400 otherwise. */
  sameContract(collection: string, id: string, field: string, what: string): Promise<Doc>;
  hashPassword(plain: string): Promise<string>;
  now: Date;
}

/** Store of one collection; the devices use another one that goes through the device registry. */
export interface ResourceStore {
  /** Inserts; returns values to show once in the response (a device's secret). */
  insert(doc: Doc): Promise<Record<string, unknown>>;
  /** Updates where the filter matches; false when nothing matched (changed meanwhile). */
  update(filter: Record<string, unknown>, set: Record<string, unknown>, unset: string[]): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  /** Puts a document back as it was (compensation when the audit entry could not be written). */
  restore(doc: Doc): Promise<void>;
}

export interface ResourceDef<C extends object = object> {
  name: ResourceName;
  /** Singular label for messages. */
  label: string;
  collection: string;
  /** Request body of create (and, merged with the stored document, of update). */
  dto: new () => C;
  /** For the OpenAPI document only: every field optional. */
  updateDto: new () => object;
  list: ListSpec;
  /** Whether documents belong to a contract (body carries contractId; tenant fields are copied from it). */
  contractScoped: boolean;
  /** Fields a client may send back unchanged on update but never change. */
  immutable?: string[];
  /** Fields the server computes; sent back unchanged they are ignored, changed they are refused. */
  computed?: string[];
  /** Stored fields that are never returned nor written to the audit log. */
  hidden?: string[];
  /** Fields of the body that are not stored as such (e.g. a user's password). */
  writeOnly?: string[];
  /** Id of a new document; defaults to a generated one. */
  newId?(input: C): string;
  /** Domain validation and the stored fields; throws 4xx with a clear message. */
  build(input: C, ctx: BuildContext): Promise<Record<string, unknown>>;
  /** Documents that point at this one: deleting it while they exist is a 409. */
  referencedBy?: { collection: string; field: string; what: string }[];
  /** Message of the 409 on a unique-index conflict. */
  duplicate?(input: C): string;
  /** Extra authorisation on the built document beyond tenant scoping (e.g. which roles a manager may grant). */
  authorize?(principal: Principal, doc: Record<string, unknown>, existing: Doc | null): void;
}
