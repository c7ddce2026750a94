import type { FhirRepository } from '../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../fhir/repository/resource-types.ts';
import { shippedResources } from './terminology-source.ts';

export interface ShippedLoadReport {
  /** Canonical url|version of each resource written. */
  loaded: string[];
  /** Already in the store at that url and version. */
  present: string[];
}

/**
 * Puts the code systems, value sets and concept maps shipped with Huza into the FHIR store, so that
 * they can be read, searched and edited through the API like any other. Idempotent by url and
 * version: a resource already stored at the same url and version (whatever its id) is left alone, so
 * a steward's edits survive restarts; a new shipped version is written beside or over the old one.
 * The terminology operations do not depend on this: they fall back to the shipped files.
 */
export async function loadShippedCodeSystems(repo: FhirRepository): Promise<ShippedLoadReport> {
  const report: ShippedLoadReport = { loaded: [], present: [] };
  for (const resource of shippedResources()) {
    const canonical = `${resource.url}|${resource.version ?? ''}`;
    if (await storedAtVersion(repo, resource.resourceType, resource.url as string, resource.version)) {
      report.present.push(canonical);
      continue;
    }
    await repo.update(resource as FhirResource);
    report.loaded.push(canonical);
  }
  return report;
}

async function storedAtVersion(repo: FhirRepository, type: string, url: string, version: string | undefined): Promise<boolean> {
  const rows = await repo.sql.query<{ id: string }>(
    `SELECT r.id FROM sp_uri u JOIN resource r ON r.resource_type = u.resource_type AND r.id = u.resource_id
     WHERE u.resource_type = $1 AND u.param = 'url' AND u.value = $2 AND NOT r.deleted`, [type, url]);
  for (const { id } of rows.rows) {
    const stored = JSON.parse((await repo.read(type, id)).json as string) as { version?: string };
    if (stored.version === version) return true;
  }
  return false;
}
