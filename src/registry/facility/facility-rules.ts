import type { FhirRepository, WriteHook } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { parseReference } from '../../fhir/search/parse-reference.ts';
import { SYSTEMS } from '../../seed/fhir.ts';
import { facilityErrors } from './facility-errors.ts';
import { coordinateProblem } from './geo.ts';

export const FACILITY_CODE_SYSTEM = SYSTEMS.facility;

/** Deeper than any real hierarchy (country → … → village → facility → ward is 8); bounds the cycle walk. */
const maxDepth = 32;

type Identifier = { system?: string; value?: string };

export function facilityCodes(resource: FhirResource): string[] {
  const ids = (resource.identifier as Identifier[] | undefined) ?? [];
  return ids.filter((i) => i.system === FACILITY_CODE_SYSTEM && typeof i.value === 'string').map((i) => i.value as string);
}

/** A place is held to Rwanda's borders when it says it is in Rwanda or carries a Ministry facility code. */
export function isRwandan(resource: FhirResource): boolean {
  const country = (resource.address as { country?: string } | undefined)?.country?.trim().toLowerCase();
  return country === 'rw' || country === 'rwa' || country === 'rwanda' || facilityCodes(resource).length > 0;
}

/**
 * The facility registry's write rules for Location and Organization, run inside the write's
 * transaction so that a refusal stores nothing: the hierarchy stays a tree of existing places, a
 * facility code names one facility, and a position is a place on the map.
 */
export const facilityWriteHook: WriteHook = {
  types: ['Location', 'Organization'],
  async beforeWrite(repo, resource, previous) {
    await checkFacilityResource(repo, resource, previous);
  },
};

export async function checkFacilityResource(repo: FhirRepository, resource: FhirResource, previous: FhirResource | undefined): Promise<void> {
  const type = resource.resourceType;
  if (type === 'Location') checkPosition(resource);
  await checkPartOf(repo, resource, previous);
  await checkCodes(repo, resource);
}

function checkPosition(resource: FhirResource): void {
  const position = resource.position as { latitude?: unknown; longitude?: unknown } | undefined;
  if (position === undefined) return;
  const problem = coordinateProblem(position.latitude, position.longitude, isRwandan(resource));
  if (problem) throw facilityErrors.invalidCoordinates(problem);
}

async function checkPartOf(repo: FhirRepository, resource: FhirResource, previous: FhirResource | undefined): Promise<void> {
  const type = resource.resourceType;
  const reference = (resource.partOf as { reference?: string } | undefined)?.reference;
  if (reference === undefined) return;
  // An unchanged parent was accepted when it was written; a later deletion of it must not block edits of the child.
  if ((previous?.partOf as { reference?: string } | undefined)?.reference === reference) return;
  const ref = parseReference(reference);
  if (ref.url !== null || ref.type !== type || !ref.id) throw facilityErrors.partOfNotLocal(type, reference);
  const parentId = ref.id;
  const exists = await repo.sql.query('SELECT 1 FROM resource WHERE resource_type = $1 AND id = $2 AND NOT deleted', [type, parentId]);
  if (exists.rows.length === 0) throw facilityErrors.unknownParent(type, `${type}/${parentId}`);
  const id = resource.id as string;
  if (parentId === id) throw facilityErrors.cycle(type, id, [`${type}/${id}`]);
  // Walk up from the new parent through the stored hierarchy: meeting this resource again is a cycle.
  const ancestors = await repo.sql.query<{ id: string; depth: number }>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT $2::text COLLATE "C", 1
       UNION
       SELECT s.target_id, up.depth + 1 FROM up
       JOIN sp_reference s ON s.resource_type = $1 AND s.resource_id = up.id AND s.param = 'partof' AND s.target_type = $1
       WHERE up.depth < ${maxDepth} AND up.id <> $3
     )
     SELECT id, depth FROM up ORDER BY depth`, [type, parentId, id]);
  const path = ancestors.rows.map((r) => r.id);
  const at = path.indexOf(id);
  if (at >= 0) throw facilityErrors.cycle(type, id, path.slice(0, at + 1).map((p) => `${type}/${p}`));
}

async function checkCodes(repo: FhirRepository, resource: FhirResource): Promise<void> {
  const type = resource.resourceType;
  for (const code of new Set(facilityCodes(resource))) {
    // Two writers claiming the same code at once would otherwise both see it free.
    if (repo.inTransaction) await repo.lockCondition(type, `identifier=${FACILITY_CODE_SYSTEM}|${code}`);
    const holder = await repo.sql.query<{ resource_id: string }>(
      `SELECT t.resource_id FROM sp_token t
       WHERE t.resource_type = $1 AND t.param = 'identifier' AND t.system = $2 AND t.code = $3 AND t.resource_id <> $4
       LIMIT 1`, [type, FACILITY_CODE_SYSTEM, code, resource.id as string]);
    const row = holder.rows[0];
    if (row) throw facilityErrors.duplicateCode(type, code, `${type}/${row.resource_id}`);
  }
}
