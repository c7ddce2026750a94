import { randomUUID } from 'node:crypto';
import type { FhirRepository } from '../repository/fhir-repository.ts';
import type { StoredVersion } from '../repository/resource-types.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { filterSql } from './build-filter-sql.ts';
import { patientCompartment } from '../definitions/patient-compartment.ts';
import { resolveIncludes } from './include-sql.ts';
import type { SearchRequest } from './search-request.ts';
import { orderBySql } from './sort-sql.ts';
import { SqlParams } from './sql-params.ts';

export interface SearchResult {
  matches: StoredVersion[];
  included: StoredVersion[];
  total?: number;
  /** Set when the results continue on further pages, frozen under this id. */
  snapshot?: string;
  offset: number;
  count: number;
  hasNext: boolean;
  /** The number of results kept for paging when more matched than a snapshot holds. */
  truncatedAt?: number;
}

export interface SearchOptions {
  /** How many results a paged search keeps; beyond it, pages stop (the Bundle says so). */
  maxSnapshotSize: number;
}

interface Row {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  content: Uint8Array;
}

let lastCleanup = 0;

export async function executeSearch(repo: FhirRepository, request: SearchRequest, options: SearchOptions): Promise<SearchResult> {
  const result = request.snapshot ? await readSnapshotPage(repo, request) : await runSearch(repo, request, options);
  result.included = await resolveIncludes(repo, result.matches, request.include, request.revinclude);
  return result;
}

/** The WHERE clause of a search over table alias r. */
function whereSql(request: SearchRequest, p: SqlParams): string {
  const typeSql = p.add(request.resourceType);
  const subject = { type: request.resourceType, typeSql, idSql: 'r.id', lastUpdatedSql: 'r.last_updated' };
  const conditions = [`r.resource_type = ${typeSql}`, 'NOT r.deleted', ...request.filters.map((f) => filterSql(f, subject, p))];
  if (request.compartment) conditions.push(compartmentSql(request.resourceType, request.compartment.id, p));
  return conditions.join('\n  AND ');
}

/** Membership of the Patient compartment: the patient itself, or a resource referring to it by one of the compartment's parameters. */
function compartmentSql(type: string, patientId: string, p: SqlParams): string {
  if (type === 'Patient') return `r.id = ${p.add(patientId)}`;
  const compartment = patientCompartment();
  const params = compartment.params.filter((_, i) => compartment.types[i] === type);
  if (params.length === 0) return 'false';
  return `EXISTS (SELECT 1 FROM sp_reference c WHERE c.resource_type = r.resource_type AND c.resource_id = r.id
    AND c.param = ANY(${p.add(params)}::text[]) AND c.target_type = 'Patient' AND c.target_id = ${p.add(patientId)})`;
}

export async function countMatches(repo: FhirRepository, request: SearchRequest): Promise<number> {
  const p = new SqlParams();
  const where = whereSql(request, p);
  const result = await repo.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource r WHERE ${where}`, p.values);
  return result.rows[0].n;
}

async function runSearch(repo: FhirRepository, request: SearchRequest, options: SearchOptions): Promise<SearchResult> {
  const base: SearchResult = { matches: [], included: [], offset: request.offset, count: request.count, hasNext: false };
  if (request.count === 0 || request.summary === 'count') {
    return { ...base, total: request.total === 'none' ? undefined : await countMatches(repo, request) };
  }
  const p = new SqlParams();
  const where = whereSql(request, p);
  const orderBy = orderBySql(request, p);
  const page = await repo.sql.query<Row>(
    `SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.content FROM resource r
     WHERE ${where} ORDER BY ${orderBy} LIMIT ${request.count + 1} OFFSET ${request.offset}`, p.values);
  const rows = page.rows.slice(0, request.count);
  const result: SearchResult = { ...base, matches: await Promise.all(rows.map((r) => repo.fromRow(r))), hasNext: page.rows.length > request.count };
  if (!result.hasNext) {
    if (request.total !== 'none') result.total = request.offset + rows.length;
    return result;
  }
  if (request.offset === 0) {
    // The first page is served from the snapshot itself, so that it and the pages after it are one
    // consistent result even when writes land between the two statements.
    const snapshot = await createSnapshot(repo, where, orderBy, p, options.maxSnapshotSize, request.count);
    result.snapshot = snapshot.id;
    result.matches = await Promise.all(snapshot.firstPage.map((r) => repo.fromRow(r)));
    result.hasNext = snapshot.total > request.count;
    if (snapshot.complete) result.total = snapshot.total;
    else result.truncatedAt = snapshot.total;
  }
  if (result.total === undefined && request.total === 'accurate') result.total = await countMatches(repo, request);
  if (request.total === 'none') result.total = undefined;
  return result;
}

/**
 * Freezes the ordered (id, version) list of a multi-page search, so later pages show exactly what
 * matched when the first was served, whatever is written meanwhile. Returns the first page as read by
 * the same statement.
 */
async function createSnapshot(repo: FhirRepository, where: string, orderBy: string, p: SqlParams, max: number, pageSize: number) {
  const id = randomUUID();
  const idParam = p.add(id);
  const result = await repo.sql.query<Row & { n: number }>(
    `WITH q AS (
       SELECT r.resource_type, r.id, r.version_id, row_number() OVER (ORDER BY ${orderBy}) AS position
       FROM resource r WHERE ${where} ORDER BY position LIMIT ${max + 1}),
     s AS (INSERT INTO search_snapshot (id, total, complete) SELECT ${idParam}, least(count(*), ${max}), count(*) <= ${max} FROM q),
     e AS (INSERT INTO search_snapshot_entry (snapshot_id, position, resource_type, resource_id, version_id)
       SELECT ${idParam}, position, resource_type, id, version_id FROM q WHERE position <= ${max}),
     n AS (SELECT count(*)::int AS n FROM q)
     SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.content, n.n
     FROM n LEFT JOIN q ON q.position <= ${pageSize}
       LEFT JOIN resource r ON r.resource_type = q.resource_type AND r.id = q.id
     ORDER BY q.position`, p.values);
  const n = result.rows[0]?.n ?? 0;
  if (Date.now() - lastCleanup > 60_000) {
    lastCleanup = Date.now();
    await repo.sql.query(`DELETE FROM search_snapshot WHERE created < now() - interval '1 hour'`);
  }
  return { id, total: Math.min(n, max), complete: n <= max, firstPage: result.rows.filter((r) => r.id !== null) };
}

async function readSnapshotPage(repo: FhirRepository, request: SearchRequest): Promise<SearchResult> {
  const snapshot = await repo.sql.query<{ total: number; complete: boolean }>(
    'SELECT total, complete FROM search_snapshot WHERE id = $1', [request.snapshot as string]);
  const meta = snapshot.rows[0];
  if (!meta) throw fhirErrors.snapshotExpired();
  const rows = await repo.sql.query<Row>(
    `SELECT h.resource_type, h.id, h.version_id, h.last_updated, h.content
     FROM search_snapshot_entry e JOIN resource_history h
       ON h.resource_type = e.resource_type AND h.id = e.resource_id AND h.version_id = e.version_id
     WHERE e.snapshot_id = $1 AND e.position > $2 AND e.position <= $3 ORDER BY e.position`,
    [request.snapshot as string, request.offset, request.offset + request.count]);
  return {
    matches: await Promise.all(rows.rows.map((r) => repo.fromRow(r))),
    included: [],
    total: meta.complete && request.total !== 'none' ? meta.total : undefined,
    truncatedAt: meta.complete ? undefined : meta.total,
    snapshot: request.snapshot,
    offset: request.offset,
    count: request.count,
    hasNext: request.offset + request.count < meta.total,
  };
}
