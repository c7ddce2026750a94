import { readdirSync, readFileSync } from 'node:fs';
import { readPackageResources } from '../fhir/definitions/examples-package.ts';
import { fhirErrors } from '../fhir/outcome/errors.ts';
import type { FhirRepository } from '../fhir/repository/fhir-repository.ts';
import { CodeSystemIndex } from './code-system-index.ts';
import type { CodeSystemConcept, CodeSystemResource, ConceptMapResource, TerminologyResource } from './terminology-types.ts';

export type TerminologyType = 'CodeSystem' | 'ValueSet' | 'ConceptMap';
export type Origin = 'stored' | 'shipped' | 'package';

/** A terminology resource found for a canonical URL or id, with a key that changes whenever its content can. */
export interface Resolved<T extends TerminologyResource = TerminologyResource> {
  resource: T;
  origin: Origin;
  /** Stored: type/id/versionId/lastUpdated (a truncated and refilled store cannot reuse a key); else origin/type/url|version. */
  key: string;
}

interface StoredRow {
  id: string;
  version_id: number;
  last_updated: Date | string;
}

/** A canonical to resolve: with a version, only that version; `orAnyVersion` then falls back to the latest of any. */
export interface TerminologyRef {
  type: 'CodeSystem' | 'ValueSet';
  url: string;
  version?: string;
  orAnyVersion?: boolean;
}

const shippedDir = new URL('./code-systems/', import.meta.url);
const parsedLimit = 500;

/** The shipped Rwandan and CVX terminology resources, JSON files beside this module. */
export function shippedResources(): TerminologyResource[] {
  return readdirSync(shippedDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(new URL(f, shippedDir), 'utf8')) as TerminologyResource);
}

/**
 * Where code systems, value sets and concept maps come from, in order of precedence: the FHIR store
 * (what stewards created through the API), the resources shipped with Huza, then the FHIR R4 package.
 * Stored resources are looked up on every call (one indexed query) so that several app nodes never
 * serve a stale definition; their parsed content and indexes are cached by version.
 */
export class TerminologySource {
  private readonly parsed = new Map<string, TerminologyResource>();
  /** Stored code systems of content not-present as stored (a loaded release's header, without its concepts). */
  private readonly headers = new Map<string, TerminologyResource>();
  private readonly indexes = new Map<string, CodeSystemIndex>();
  private readonly reading = new Map<string, Promise<Resolved | undefined>>();
  private builtIn?: Map<string, Resolved[]>;

  async find<T extends TerminologyResource>(repo: FhirRepository, type: TerminologyType, canonical: string, version?: string): Promise<Resolved<T> | undefined> {
    const bar = canonical.indexOf('|');
    const url = bar >= 0 ? canonical.slice(0, bar) : canonical;
    const wanted = version ?? (bar >= 0 ? canonical.slice(bar + 1) : undefined);
    const rows = await repo.sql.query<StoredRow>(
      `SELECT r.id, r.version_id, r.last_updated FROM sp_uri u
       JOIN resource r ON r.resource_type = u.resource_type AND r.id = u.resource_id
       WHERE u.resource_type = $1 AND u.param = 'url' AND u.value = $2 AND NOT r.deleted
       ORDER BY r.last_updated DESC`, [type, url]);
    for (const row of rows.rows) {
      const stored = await this.stored<T>(repo, type, row);
      if (stored && stored.resource.url === url && (wanted === undefined || stored.resource.version === wanted)) return stored;
    }
    const builtIn = this.builtInByUrl().get(`${type} ${url}`) ?? [];
    return builtIn.find((r) => wanted === undefined || r.resource.version === wanted) as Resolved<T> | undefined;
  }

  /**
   * Resolves many canonicals with one query, in the precedence of find(): what the write-time checks use
   * (src/terminology/code-validation.ts). A stored code system of content not-present (a loaded release)
   * comes back as its header, without reading its concepts: check its codes with releaseConcepts().
   */
  async findMany(repo: FhirRepository, refs: readonly TerminologyRef[]): Promise<(Resolved | undefined)[]> {
    if (refs.length === 0) return [];
    const types = [...new Set(refs.map((r) => r.type))];
    const urls = [...new Set(refs.map((r) => r.url))];
    const rows = await repo.sql.query<StoredRow & { resource_type: TerminologyType; url: string }>(
      `SELECT r.resource_type, u.value AS url, r.id, r.version_id, r.last_updated FROM sp_uri u
       JOIN resource r ON r.resource_type = u.resource_type AND r.id = u.resource_id
       WHERE u.resource_type = ANY($1::text[]) AND u.param = 'url' AND u.value = ANY($2::text[]) AND NOT r.deleted
       ORDER BY r.last_updated DESC`, [types, urls]);
    const candidates = new Map<string, Resolved[]>();
    for (const row of rows.rows) {
      const stored = await this.storedHeader(repo, row.resource_type, row);
      if (!stored || stored.resource.url !== row.url) continue;
      const k = `${row.resource_type} ${row.url}`;
      candidates.set(k, [...(candidates.get(k) ?? []), stored]);
    }
    return refs.map((ref) => {
      const all = [...(candidates.get(`${ref.type} ${ref.url}`) ?? []), ...(this.builtInByUrl().get(`${ref.type} ${ref.url}`) ?? [])];
      return all.find((r) => ref.version === undefined || r.resource.version === ref.version) ?? (ref.orAnyVersion ? all[0] : undefined);
    });
  }

  /** A known code system's concept index (none for content other than complete: a release header, a fragment...). */
  completeIndex(cs: Resolved): CodeSystemIndex | undefined {
    return cs.resource.resourceType === 'CodeSystem' && cs.resource.content === 'complete' ? this.index(cs as Resolved<CodeSystemResource>) : undefined;
  }

  /** The stored resource as stored: what stored() gives, except that a release header's concepts are not read. */
  private async storedHeader(repo: FhirRepository, type: TerminologyType, row: StoredRow): Promise<Resolved | undefined> {
    const key = `${type}/${row.id}/${row.version_id}/${new Date(row.last_updated).getTime()}`;
    const cached = this.parsed.get(key) ?? this.headers.get(key);
    if (cached) return { resource: cached, origin: 'stored', key };
    let version;
    try {
      version = await repo.read(type, row.id);
    } catch {
      return undefined;
    }
    const resource = JSON.parse(version.json as string) as TerminologyResource;
    const readKey = `${type}/${row.id}/${version.versionId}/${version.lastUpdated.getTime()}`;
    if (resource.resourceType === 'CodeSystem' && resource.content === 'not-present') remember(this.headers, readKey, resource, parsedLimit);
    else remember(this.parsed, readKey, resource, parsedLimit);
    return { resource, origin: 'stored', key: readKey };
  }

  /** Instance-level operations: the stored resource, else a shipped or package one with that id. */
  async byId<T extends TerminologyResource>(repo: FhirRepository, type: TerminologyType, id: string): Promise<Resolved<T>> {
    const row = await repo.sql.query<StoredRow>('SELECT id, version_id, last_updated FROM resource WHERE resource_type = $1 AND id = $2 AND NOT deleted', [type, id]);
    const stored = row.rows[0] ? await this.stored<T>(repo, type, row.rows[0]) : undefined;
    if (stored) return stored;
    const builtIn = [...this.builtInByUrl().values()].flat().find((r) => r.resource.resourceType === type && r.resource.id === id);
    if (!builtIn) throw fhirErrors.notFound(type, id);
    return builtIn as Resolved<T>;
  }

  /** Every ConceptMap known, for $translate without a map named: stored first. */
  async allConceptMaps(repo: FhirRepository): Promise<Resolved<ConceptMapResource>[]> {
    const rows = await repo.sql.query<StoredRow>(`SELECT id, version_id, last_updated FROM resource WHERE resource_type = 'ConceptMap' AND NOT deleted ORDER BY last_updated DESC LIMIT 1000`);
    const stored: Resolved<ConceptMapResource>[] = [];
    for (const row of rows.rows) {
      const r = await this.stored<ConceptMapResource>(repo, 'ConceptMap', row);
      if (r) stored.push(r);
    }
    const storedUrls = new Set(stored.map((r) => r.resource.url));
    const builtIn = [...this.builtInByUrl().values()].flat().filter((r) => r.resource.resourceType === 'ConceptMap' && !storedUrls.has(r.resource.url));
    return [...stored, ...(builtIn as Resolved<ConceptMapResource>[])];
  }

  /** The concept index of a code system, built once per version of it. */
  index(cs: Resolved<CodeSystemResource>): CodeSystemIndex {
    let index = this.indexes.get(cs.key);
    if (!index) {
      index = new CodeSystemIndex(cs.resource);
      remember(this.indexes, cs.key, index, parsedLimit);
    }
    return index;
  }

  private async stored<T extends TerminologyResource>(repo: FhirRepository, type: TerminologyType, row: StoredRow): Promise<Resolved<T> | undefined> {
    const key = `${type}/${row.id}/${row.version_id}/${new Date(row.last_updated).getTime()}`;
    const cached = this.parsed.get(key);
    if (cached) return { resource: cached as T, origin: 'stored', key };
    // Requests arriving together for a version not parsed yet share one read (a loaded release is 100,000 rows).
    const pending = this.reading.get(key);
    if (pending) return pending as Promise<Resolved<T> | undefined>;
    const reading = this.read<T>(repo, type, row.id).finally(() => this.reading.delete(key));
    this.reading.set(key, reading);
    return reading;
  }

  private async read<T extends TerminologyResource>(repo: FhirRepository, type: TerminologyType, id: string): Promise<Resolved<T> | undefined> {
    let version;
    try {
      version = await repo.read(type, id);
    } catch {
      // Deleted between the index query and the read: as if it were not there.
      return undefined;
    }
    const resource = JSON.parse(version.json as string) as T;
    if (resource.resourceType === 'CodeSystem') await withReleaseConcepts(repo, resource as CodeSystemResource);
    const readKey = `${type}/${id}/${version.versionId}/${version.lastUpdated.getTime()}`;
    remember(this.parsed, readKey, resource, parsedLimit);
    return { resource, origin: 'stored', key: readKey };
  }

  private builtInByUrl(): Map<string, Resolved[]> {
    if (this.builtIn) return this.builtIn;
    const byUrl = new Map<string, Resolved[]>();
    const add = (resource: TerminologyResource, origin: Origin) => {
      if (!resource.url) return;
      const key = `${resource.resourceType} ${resource.url}`;
      byUrl.set(key, [...(byUrl.get(key) ?? []), { resource, origin, key: `${origin}/${resource.resourceType}/${resource.url}|${resource.version ?? ''}` }]);
    };
    for (const r of shippedResources()) add(r, 'shipped');
    for (const type of ['CodeSystem', 'ValueSet', 'ConceptMap'] as const) {
      for (const r of readPackageResources<TerminologyResource>(type)) add(r, 'package');
    }
    this.builtIn = byUrl;
    return byUrl;
  }
}

/**
 * A code system loaded from an operator's release file (LOINC, ICD-10-CM, ICD-11: src/terminology/loaders/)
 * is stored as a header resource of content not-present, its concepts in terminology_concept; they are
 * read here, in file order and nested under their parents, so the service sees a complete code system.
 */
async function withReleaseConcepts(repo: FhirRepository, resource: CodeSystemResource): Promise<void> {
  if (resource.content !== 'not-present' || !resource.url || resource.version === undefined) return;
  const rows = await repo.sql.query<{ code: string; parent: string | null; concept: string }>(
    'SELECT code, parent, concept FROM terminology_concept WHERE system = $1 AND version = $2 ORDER BY seq', [resource.url, resource.version]);
  if (rows.rows.length === 0) return;
  const byCode = new Map<string, CodeSystemConcept>();
  const roots: CodeSystemConcept[] = [];
  for (const row of rows.rows) byCode.set(row.code, JSON.parse(row.concept) as CodeSystemConcept);
  for (const row of rows.rows) {
    const concept = byCode.get(row.code) as CodeSystemConcept;
    const parent = row.parent === null ? undefined : byCode.get(row.parent);
    if (parent) (parent.concept ??= []).push(concept);
    else roots.push(concept);
  }
  resource.concept = roots;
  resource.content = 'complete';
}

/** A bounded cache: the oldest entry goes when full (Map keeps insertion order). */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as K);
}
