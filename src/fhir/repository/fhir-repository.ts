import jsonPatch, { type Operation } from 'fast-json-patch';
import type { Database, Queryable } from '../../db/database.ts';
import type { SearchParameterRegistry } from '../definitions/search-parameters.ts';
import { isResourceType } from '../definitions/structure-definitions.ts';
import { fhirErrors } from '../outcome/errors.ts';
import type { OperationOutcomeIssue } from '../outcome/fhir-error.ts';
import { extractIndexRows } from '../search/extract-index-rows.ts';
import type { ContentCodec, ContentRef } from './content-codec.ts';
import { idPattern, type FhirResource, type StoredVersion } from './resource-types.ts';
import { newResourceId } from './new-resource-id.ts';
import { contentKey, storedJson } from './stored-json.ts';
import { writeVersionSql, type VersionWrite } from './write-version-sql.ts';

export interface ValidateOptions {
  /** Check codes of required bindings against the R4 package's ValueSets (default true); off when a CodeValidator judges them. */
  requiredBindings?: boolean;
}

export type ResourceValidator = (resource: FhirResource, options?: ValidateOptions) => OperationOutcomeIssue[];

/** Checks a resource's codes through the terminology service: asynchronous, as it may read code systems from the store. */
export type CodeValidator = (repo: FhirRepository, resource: FhirResource) => Promise<OperationOutcomeIssue[]>;

export interface RepositoryOptions {
  searchParameters: SearchParameterRegistry;
  /** Refusing issues (error, fatal) stop the write; warnings are returned to nobody and ignored. */
  validate?: ResourceValidator;
  /** With validate: checks the codes of every create and update, required bindings included (see validateForWrite). */
  validateCodes?: CodeValidator;
  /** How content is stored: encrypted at rest by the platform (see ContentCodec). */
  content: ContentCodec;
  /** What domains (the client registry…) do with writes of the types they own; filled in as they are installed. */
  hooks?: WriteHook[];
}

/**
 * A domain's part in the writes of resource types it owns. Both steps run inside the write's
 * transaction, so a refusal (a thrown FhirError) or a failure leaves nothing stored.
 */
export interface WriteHook {
  types: readonly string[];
  /** Before storing: may refuse, or return the resource to store instead (amended). */
  beforeWrite?(repo: FhirRepository, resource: FhirResource, previous: FhirResource | undefined): Promise<FhirResource | void>;
  /** After storing (a deletion has json null). */
  afterWrite?(repo: FhirRepository, version: StoredVersion, previous: FhirResource | undefined): Promise<void>;
}

interface CurrentRow {
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  content: Uint8Array | null;
}

/** A row of resource or resource_history as the SQL returns it. */
export interface ContentRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted?: boolean;
  content: Uint8Array | null;
}

export interface UpdateOptions {
  /** The version the client last saw (from If-Match); a different current version refuses the update. */
  ifMatch?: number;
}

export interface WriteResult {
  version: StoredVersion;
  created: boolean;
}

const maxRaceRetries = 3;
/** The advisory-lock key space of conditional interactions (migrations use the single-key form). */
const conditionLockSpace = 7262002;

/**
 * The FHIR resource store: versions, history and soft delete over the Database. Domains call it
 * in-process; the REST layer is one of its callers.
 */
export class FhirRepository {
  readonly db: Database;
  readonly options: RepositoryOptions;
  private readonly tx: Queryable | undefined;

  constructor(db: Database, options: RepositoryOptions, tx?: Queryable) {
    this.db = db;
    this.options = options;
    this.tx = tx;
  }

  /** The connection this repository's statements run on: the open transaction if there is one. */
  get sql(): Queryable {
    return this.tx ?? this.db;
  }

  get inTransaction(): boolean {
    return this.tx !== undefined;
  }

  /** Runs fn with a repository bound to one transaction (the current one when already inside). */
  async withTransaction<T>(fn: (repo: FhirRepository) => Promise<T>): Promise<T> {
    if (this.tx) return fn(this);
    return this.db.transaction((tx) => fn(new FhirRepository(this.db, this.options, tx)));
  }

  /**
   * Holds, until this repository's transaction ends, a lock on one conditional interaction's criteria:
   * two conditional creates (or updates) of the same thing at once would otherwise both find nothing
   * and both create.
   */
  async lockCondition(type: string, criteria: string): Promise<void> {
    if (!this.tx) throw new Error('lockCondition needs a transaction');
    const canonical = [...new URLSearchParams(criteria).entries()].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
    await this.tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [conditionLockSpace, `${type}?${new URLSearchParams(canonical)}`]);
  }

  assertResourceType(type: string): void {
    if (!isResourceType(type)) throw fhirErrors.unknownResourceType(type);
  }

  /**
   * Checks a resource against the R4 definitions, required bindings against the R4 package's ValueSets; throws an
   * error naming each bad element. Synchronous: writes check with validateForWrite(), which adds the codes.
   */
  validate(resource: FhirResource): void {
    this.assertResource(resource);
    refuseOn(this.options.validate?.(resource) ?? []);
  }

  /**
   * What a create or update checks: the R4 definitions and, when the engine has a CodeValidator, every code through
   * the terminology service (which then judges required bindings in place of validate()'s R4-package check). Throws
   * an error naming each bad element; returns the warnings.
   */
  async validateForWrite(resource: FhirResource): Promise<OperationOutcomeIssue[]> {
    this.assertResource(resource);
    const { validate, validateCodes } = this.options;
    if (!validate) return [];
    const issues = validate(resource, { requiredBindings: !validateCodes });
    // Codes are checked even when the structure is refused, so that one answer names every bad element.
    const all = validateCodes ? [...issues, ...(await validateCodes(this, resource))] : issues;
    refuseOn(all);
    return all;
  }

  /** A JSON object with a known resourceType and, if it has one, a valid id: what every write and $validate need first. */
  assertResource(resource: FhirResource): void {
    if (typeof resource !== 'object' || resource === null || Array.isArray(resource) || typeof resource.resourceType !== 'string') {
      throw fhirErrors.notAResource();
    }
    this.assertResourceType(resource.resourceType);
    if (resource.id !== undefined && (typeof resource.id !== 'string' || !idPattern.test(resource.id))) throw fhirErrors.invalidId(String(resource.id));
  }

  async create(resource: FhirResource, options: { id?: string } = {}): Promise<StoredVersion> {
    await this.validateForWrite(resource);
    return this.createValid(resource, options);
  }

  private async createValid(resource: FhirResource, options: { id?: string }): Promise<StoredVersion> {
    const hooks = this.hooksFor(resource.resourceType);
    if (hooks.length > 0 && !this.tx) return this.withTransaction((repo) => repo.createValid(resource, options));
    const id = options.id ?? newResourceId();
    const toStore = await this.runBeforeWrite(hooks, { ...resource, id }, undefined);
    const version = this.prepare(toStore, id, 1);
    const applied = await this.write({ ...version, method: 'POST', rows: this.indexRows(toStore) });
    if (!applied) throw fhirErrors.idTaken(resource.resourceType, id);
    for (const h of hooks) await h.afterWrite?.(this, version, undefined);
    return version;
  }

  /** Creates a resource the server itself built (audit events), skipping validation but not indexing. */
  async createTrusted(resource: FhirResource): Promise<StoredVersion> {
    const id = newResourceId();
    const version = this.prepare(resource, id, 1);
    const applied = await this.write({ ...version, method: 'POST', rows: this.indexRows(resource) });
    if (!applied) throw fhirErrors.idTaken(resource.resourceType, id);
    return version;
  }

  /** Update, or create with the client's id when the resource does not exist (update-as-create). */
  async update(resource: FhirResource, options: UpdateOptions = {}, method: 'PUT' | 'PATCH' = 'PUT'): Promise<WriteResult> {
    await this.validateForWrite(resource);
    return this.updateValid(resource, options, method);
  }

  private async updateValid(resource: FhirResource, options: UpdateOptions, method: 'PUT' | 'PATCH'): Promise<WriteResult> {
    const hooks = this.hooksFor(resource.resourceType);
    if (hooks.length > 0 && !this.tx) return this.withTransaction((repo) => repo.updateValid(resource, options, method));
    const type = resource.resourceType;
    const id = resource.id as string;
    for (let attempt = 0; attempt < maxRaceRetries; attempt++) {
      const current = await this.current(type, id);
      if (options.ifMatch !== undefined && (current?.version_id ?? 0) !== options.ifMatch) {
        throw fhirErrors.versionConflict(type, id, String(options.ifMatch), current?.version_id ?? 0);
      }
      const currentJson = current && !current.deleted ? await this.decode({ resourceType: type, id, versionId: current.version_id }, current.content) : null;
      if (current && currentJson !== null && sameContent(currentJson, resource)) {
        // An update that changes nothing keeps the version, as servers commonly do, so retries are idempotent.
        return { version: { resourceType: type, id, versionId: current.version_id, lastUpdated: new Date(current.last_updated), deleted: false, json: currentJson }, created: false };
      }
      const versionId = (current?.version_id ?? 0) + 1;
      const previous = currentJson === null ? undefined : JSON.parse(currentJson) as FhirResource;
      const toStore = await this.runBeforeWrite(hooks, resource, previous);
      const version = this.prepare(toStore, id, versionId);
      const applied = await this.write({
        ...version, method, rows: this.indexRows(toStore), replaces: current?.version_id,
      });
      if (applied) {
        for (const h of hooks) await h.afterWrite?.(this, version, previous);
        return { version, created: !current || current.deleted };
      }
    }
    throw fhirErrors.concurrentWrite(type, id);
  }

  async patch(type: string, id: string, operations: Operation[], options: UpdateOptions = {}): Promise<WriteResult> {
    const current = await this.read(type, id);
    const resource = JSON.parse(current.json as string) as FhirResource;
    let patched: FhirResource;
    try {
      patched = jsonPatch.applyPatch(resource, operations, true, false).newDocument;
    } catch (error) {
      throw fhirErrors.invalidPatch((error as Error).message.split('\n')[0]);
    }
    if (patched.resourceType !== type || patched.id !== id) throw fhirErrors.invalidPatch('a patch may not change resourceType or id');
    return this.update(patched, { ifMatch: options.ifMatch ?? current.versionId }, 'PATCH');
  }

  /** Soft delete: a new, empty version; history keeps every earlier one. Deleting what is gone or absent succeeds. */
  async delete(type: string, id: string): Promise<{ deleted: boolean }> {
    this.assertResourceType(type);
    const hooks = this.hooksFor(type);
    if (hooks.length > 0 && !this.tx) return this.withTransaction((repo) => repo.delete(type, id));
    for (let attempt = 0; attempt < maxRaceRetries; attempt++) {
      const current = await this.current(type, id);
      if (!current || current.deleted) return { deleted: false };
      const deletion: StoredVersion = { resourceType: type, id, versionId: current.version_id + 1, lastUpdated: new Date(), deleted: true, json: null };
      const applied = await this.write({ ...deletion, method: 'DELETE', rows: extractIndexRows({}, []), replaces: current.version_id });
      if (applied) {
        if (hooks.length > 0) {
          const previousJson = await this.decode({ resourceType: type, id, versionId: current.version_id }, current.content);
          const previous = previousJson === null ? undefined : JSON.parse(previousJson) as FhirResource;
          for (const h of hooks) await h.afterWrite?.(this, deletion, previous);
        }
        return { deleted: true };
      }
    }
    throw fhirErrors.concurrentWrite(type, id);
  }

  async read(type: string, id: string): Promise<StoredVersion> {
    this.assertResourceType(type);
    const current = idPattern.test(id) ? await this.current(type, id) : undefined;
    if (!current) throw fhirErrors.notFound(type, id);
    if (current.deleted) throw fhirErrors.gone(type, id);
    return this.toStored(type, id, current);
  }

  async vread(type: string, id: string, versionId: string): Promise<StoredVersion> {
    this.assertResourceType(type);
    const version = Number(versionId);
    if (!Number.isInteger(version) || version < 1) throw fhirErrors.versionNotFound(type, id, versionId);
    const result = await this.sql.query<CurrentRow>(
      `SELECT version_id, last_updated, deleted, content FROM resource_history
       WHERE resource_type = $1 AND id = $2 AND version_id = $3`, [type, id, version]);
    const row = result.rows[0];
    if (!row) {
      await this.read(type, id);
      throw fhirErrors.versionNotFound(type, id, versionId);
    }
    if (row.deleted) throw fhirErrors.gone(type, id);
    return this.toStored(type, id, row);
  }

  /** Reads many current resources in one query; missing or deleted ones are left out. */
  async readMany(refs: { type: string; id: string }[]): Promise<StoredVersion[]> {
    if (refs.length === 0) return [];
    const result = await this.sql.query<ContentRow>(
      `SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content
       FROM resource r JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON r.resource_type = k.t AND r.id = k.i
       WHERE NOT r.deleted`, [refs.map((r) => r.type), refs.map((r) => r.id)]);
    return Promise.all(result.rows.map((row) => this.fromRow(row)));
  }

  /**
   * The JSON of stored content: the one place content read by SQL is turned back into a resource
   * (decrypted and authenticated against the version it belongs to). Every reader goes through here
   * or through the codec this repository was given.
   */
  async decode(ref: ContentRef, content: Uint8Array | null): Promise<string | null> {
    return content === null ? null : this.options.content.decode(content, ref);
  }

  /** A row of resource or resource_history (resource_type, id, version_id, last_updated, deleted, content) as a StoredVersion. */
  async fromRow(row: ContentRow): Promise<StoredVersion> {
    return this.toStored(row.resource_type, row.id, row);
  }

  private hooksFor(type: string): WriteHook[] {
    return this.options.hooks?.filter((h) => h.types.includes(type)) ?? [];
  }

  private async runBeforeWrite(hooks: WriteHook[], resource: FhirResource, previous: FhirResource | undefined): Promise<FhirResource> {
    let out = resource;
    for (const h of hooks) out = (await h.beforeWrite?.(this, out, previous)) ?? out;
    return out;
  }

  private async current(type: string, id: string): Promise<CurrentRow | undefined> {
    const result = await this.sql.query<CurrentRow>(
      'SELECT version_id, last_updated, deleted, content FROM resource WHERE resource_type = $1 AND id = $2', [type, id]);
    return result.rows[0];
  }

  private async toStored(type: string, id: string, row: CurrentRow | ContentRow): Promise<StoredVersion> {
    const json = await this.decode({ resourceType: type, id, versionId: row.version_id }, row.content);
    return { resourceType: type, id, versionId: row.version_id, lastUpdated: new Date(row.last_updated), deleted: row.deleted ?? false, json };
  }

  private prepare(resource: FhirResource, id: string, versionId: number): StoredVersion {
    const lastUpdated = new Date();
    const { json } = storedJson(resource, id, versionId, lastUpdated);
    return { resourceType: resource.resourceType, id, versionId, lastUpdated, deleted: false, json };
  }

  /** The search index rows of a resource under this repository's search parameters. */
  indexRows(resource: FhirResource) {
    return extractIndexRows(resource, this.options.searchParameters.forType(resource.resourceType).values());
  }

  private async write(w: Omit<VersionWrite, 'content'> & { json: string | null }): Promise<boolean> {
    const ref = { resourceType: w.resourceType, id: w.id, versionId: w.versionId };
    const content = w.json === null ? null : this.options.content.encode(w.json, ref);
    const { sql, params } = writeVersionSql({ ...w, content });
    const result = await this.sql.query<{ applied: number }>(sql, params);
    return result.rows[0].applied === 1;
  }
}

/** Refusing issues (error, fatal) stop the write, all of them reported. */
export function refuseOn(issues: OperationOutcomeIssue[]): void {
  const refusing = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (refusing.length > 0) throw fhirErrors.invalidResource(refusing);
}

function sameContent(storedJson: string, incoming: FhirResource): boolean {
  return contentKey(JSON.parse(storedJson) as FhirResource) === contentKey(incoming);
}
