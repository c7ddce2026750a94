import { randomUUID } from 'node:crypto';
import { patientCompartment } from '../definitions/patient-compartment.ts';
import { readPackageFile } from '../definitions/examples-package.ts';
import { isResourceType } from '../definitions/structure-definitions.ts';
import { fhirErrors } from '../outcome/errors.ts';
import { parseDateRange } from '../search/date-range.ts';
import { defaultPageSize, maxPageSize, type SearchRequest } from '../search/search-request.ts';
import { executeSearch } from '../search/execute-search.ts';
import { keepVisible } from '../rest/keep-visible.ts';
import { searchsetBundle } from '../rest/search-bundle.ts';
import type { OperationDefinition } from './operation-definition.ts';
import { firstString } from './operation-parameters.ts';
import type { Operation } from './operation-registry.ts';

const dateParams = ['date', 'period', 'authored', 'effective', 'onset-date', 'recorded-date', 'occurrence'];

/**
 * Patient/[id]/$everything: the patient, every resource in its compartment and what those refer to
 * (practitioners, facilities, medications…), filtered by _since, _type and start/end, frozen at the
 * first page so paging is stable like any search.
 */
export const patientEverything: Operation = {
  definition: readPackageFile<OperationDefinition>('OperationDefinition-Patient-everything.json'),
  async execute(ctx, call) {
    if (!call.id) throw fhirErrors.invalidParameter('id', '$everything runs on one patient: Patient/[id]/$everything');
    ctx.access?.checkType('Patient', 'r');
    const patient = await ctx.repo.read('Patient', call.id);
    await ctx.access?.assertVisible(patient);
    const types = call.input.get('_type')?.map(String);
    for (const t of types ?? []) if (!isResourceType(t)) throw fhirErrors.invalidParameter('_type', `'${t}' is not a resource type`);
    const since = dateOf('_since', firstString(call.input, '_since'), 'low');
    const start = dateOf('start', firstString(call.input, 'start'), 'low');
    const end = dateOf('end', firstString(call.input, 'end'), 'high');
    // At least one per page: with _count=0 the next link would never move on.
    const count = Math.max(1, Math.min(Number(firstString(call.input, '_count') ?? defaultPageSize), maxPageSize));
    const snapshotQuery = call.request.query.find(([k]) => k === '_snapshot')?.[1];
    const offset = Number(call.request.query.find(([k]) => k === '_offset')?.[1] ?? 0);
    const request: SearchRequest = {
      resourceType: 'Patient', filters: [], sort: [], count, offset, include: [], revinclude: [],
      passThrough: [...(types ? [['_type', types.join(',')] as [string, string]] : [])],
      snapshot: snapshotQuery ?? await freeze(ctx.repo, call.id, patient.versionId, { types, since, start, end }),
    };
    const result = await executeSearch(ctx.repo, request, ctx.search);
    await keepVisible(ctx, result);
    return { status: 200, headers: {}, body: searchsetBundle(ctx.baseUrl, `Patient/${call.id}/$everything`, call.request.query, request, result) };
  },
};

interface EverythingFilter {
  types?: string[];
  since?: Date;
  start?: Date;
  end?: Date;
}

async function freeze(repo: { sql: import('../../db/database.ts').Queryable }, patientId: string, patientVersion: number, f: EverythingFilter): Promise<string> {
  // The audit trail is in R4's Patient compartment but is not part of the clinical record: patients
  // read it through AuditEvent search, with its own access rules.
  const full = patientCompartment();
  const keep = full.types.map((t) => t !== 'AuditEvent');
  const compartment = { types: full.types.filter((_, i) => keep[i]), params: full.params.filter((_, i) => keep[i]) };
  const id = randomUUID();
  // Members by the compartment's reference parameters (sp_reference_reverse serves this), then one
  // hop of what they and the patient refer to, except what belongs to another patient's compartment
  // (an Observation's hasMember may point at someone else's Observation); the patient comes first.
  await repo.sql.query(
    `WITH members AS (
       SELECT DISTINCT s.resource_type, s.resource_id FROM sp_reference s
       JOIN unnest($2::text[], $3::text[]) AS c(t, p) ON s.resource_type = c.t AND s.param = c.p
       WHERE s.target_type = 'Patient' AND s.target_id = $1),
     sources AS (SELECT * FROM members UNION SELECT 'Patient', $1),
     referenced AS (
       SELECT DISTINCT s.target_type AS resource_type, s.target_id AS resource_id FROM sp_reference s
       JOIN sources m ON s.resource_type = m.resource_type AND s.resource_id = m.resource_id
       WHERE s.target_id IS NOT NULL AND s.target_type <> 'Patient'
         AND NOT EXISTS (
           SELECT 1 FROM sp_reference o
           JOIN unnest($2::text[], $3::text[]) AS c(t, p) ON o.resource_type = c.t AND o.param = c.p
           WHERE o.resource_type = s.target_type AND o.resource_id = s.target_id
             AND o.target_type = 'Patient' AND o.target_id <> $1)),
     everything AS (SELECT * FROM members UNION SELECT * FROM referenced),
     picked AS (
       SELECT r.resource_type, r.id, r.version_id FROM everything e
       JOIN resource r ON r.resource_type = e.resource_type AND r.id = e.resource_id
       WHERE NOT r.deleted
         AND ($4::text[] IS NULL OR r.resource_type = ANY($4::text[]))
         AND ($5::timestamptz IS NULL OR r.last_updated >= $5)
         AND ($6::timestamptz IS NULL AND $7::timestamptz IS NULL OR NOT EXISTS (
           SELECT 1 FROM sp_date d WHERE d.resource_type = r.resource_type AND d.resource_id = r.id AND d.param = ANY($8::text[]))
           OR EXISTS (
           SELECT 1 FROM sp_date d WHERE d.resource_type = r.resource_type AND d.resource_id = r.id AND d.param = ANY($8::text[])
             AND ($6::timestamptz IS NULL OR COALESCE(d.high, 'infinity') >= $6)
             AND ($7::timestamptz IS NULL OR COALESCE(d.low, '-infinity') <= $7)))),
     ordered AS (
       SELECT 'Patient' AS resource_type, $1 AS id, $9::int AS version_id, 0 AS position
       WHERE $4::text[] IS NULL OR 'Patient' = ANY($4::text[])
       UNION ALL
       SELECT resource_type, id, version_id, row_number() OVER (ORDER BY resource_type, id) AS position FROM picked
       WHERE NOT (resource_type = 'Patient' AND id = $1)),
     s AS (INSERT INTO search_snapshot (id, total, complete) SELECT $10, count(*), true FROM ordered)
     INSERT INTO search_snapshot_entry (snapshot_id, position, resource_type, resource_id, version_id)
     SELECT $10, row_number() OVER (ORDER BY position), resource_type, id, version_id FROM ordered`,
    [patientId, compartment.types, compartment.params, f.types ?? null, f.since ?? null, f.start ?? null, f.end ?? null, dateParams, patientVersion, id]);
  return id;
}

function dateOf(name: string, value: string | undefined, end: 'low' | 'high'): Date | undefined {
  if (value === undefined) return undefined;
  const range = parseDateRange(value);
  if (!range) throw fhirErrors.invalidParameter(name, `'${value}' is not a FHIR date`);
  return range[end];
}
