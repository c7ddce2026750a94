import type { Queryable } from '../../db/database.ts';
import type { ContentCodec } from '../../fhir/repository/content-codec.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { facilityLicence, licenceTypeSystem, practitionerLicence, readLicence, type Licence } from './licence.ts';

/** Licences of given holders, or all of a type, read from the Basic resources that carry them. */
export async function findLicences(sql: Queryable, content: ContentCodec, filter: { type?: string; subjects?: string[] }): Promise<Licence[]> {
  const types = filter.type ? [filter.type] : [practitionerLicence, facilityLicence];
  // The filter is on index rows; the licence itself is in the (encrypted) content, read in JS.
  const result = await sql.query<{ id: string; version_id: number; content: Uint8Array }>(
    `SELECT r.id, r.version_id, r.content FROM resource r
     JOIN sp_token t ON t.resource_type = 'Basic' AND t.resource_id = r.id AND t.param = 'code' AND t.system = $1 AND t.code = ANY($2::text[])
     WHERE r.resource_type = 'Basic' AND NOT r.deleted
       AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM sp_reference s WHERE s.resource_type = 'Basic' AND s.resource_id = r.id
         AND s.param = 'subject' AND (s.target_type || '/' || s.target_id) = ANY($3::text[])))`,
    [licenceTypeSystem, types, filter.subjects ?? null]);
  const resources = await Promise.all(result.rows.map(async (row) =>
    JSON.parse(await content.decode(row.content, { resourceType: 'Basic', id: row.id, versionId: row.version_id })) as FhirResource));
  return resources.flatMap((resource) => {
    const licence = readLicence(resource);
    return licence ? [licence] : [];
  });
}
