import type { FhirRepository, WriteHook } from '../../fhir/repository/fhir-repository.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import type { TerminologySource } from '../../terminology/terminology-source.ts';
import { parseReference } from '../../fhir/search/parse-reference.ts';
import { cadreSystem, loadCadres } from './cadre.ts';
import { workforceErrors } from './workforce-errors.ts';

/** The most facilities one health worker may serve at once (a specialist's rotations; issue #5). */
export const maxFacilitiesPerWorker = 10;

interface Ref { reference?: string }
interface Coding { system?: string; code?: string }

export interface RoleLike extends FhirResource {
  active?: boolean;
  period?: { start?: string; end?: string };
  practitioner?: Ref;
  organization?: Ref;
  location?: Ref[];
  code?: { coding?: Coding[] }[];
}

/** `Type/id` of a reference, whatever base it was written with; undefined for contained or logical ones. */
export function localReference(ref: Ref | undefined): string | undefined {
  if (!ref?.reference) return undefined;
  const { type, id } = parseReference(ref.reference);
  return type && id ? `${type}/${id}` : undefined;
}

/** A role that holds today: not marked inactive and its period (if any) around now. */
export function isCurrent(role: RoleLike, now = new Date()): boolean {
  if (role.active === false) return false;
  const today = now.toISOString().slice(0, 10);
  if (role.period?.end && role.period.end.slice(0, 10) < today) return false;
  if (role.period?.start && role.period.start.slice(0, 10) > today) return false;
  return true;
}

/**
 * The facilities a role puts its holder in: its locations, or its organization when it names no
 * location. Both models count the same way, so one role with ten locations and ten roles with one
 * each reach the same limit.
 */
export function facilitiesOf(role: RoleLike): string[] {
  const locations = (role.location ?? []).map(localReference).filter((r): r is string => !!r);
  if (locations.length > 0) return locations;
  const org = localReference(role.organization);
  return org ? [org] : [];
}

async function otherRolesOf(repo: FhirRepository, practitioner: string, exceptId: string | undefined): Promise<RoleLike[]> {
  const [type, id] = practitioner.split('/');
  const rows = await repo.sql.query<{ resource_type: string; id: string; version_id: number; last_updated: Date; content: Uint8Array }>(
    `SELECT r.resource_type, r.id, r.version_id, r.last_updated, r.content FROM sp_reference s
     JOIN resource r ON r.resource_type = s.resource_type AND r.id = s.resource_id
     WHERE s.resource_type = 'PractitionerRole' AND s.param = 'practitioner' AND s.target_type = $1 AND s.target_id = $2
       AND NOT r.deleted AND r.id <> $3`, [type, id, exceptId ?? '']);
  const versions = await Promise.all(rows.rows.map((row) => repo.fromRow(row)));
  return versions.map((v) => JSON.parse(v.json as string) as RoleLike);
}

/**
 * PractitionerRole writes: cadre codes must exist in the cadre code system (and not be a grouping), read
 * through the terminology service's source, and a health worker's current roles may not put them in more
 * than ten facilities.
 */
export const practitionerRoleRules = (source: TerminologySource): WriteHook => ({
  types: ['PractitionerRole'],
  async beforeWrite(repo, resource) {
    const role = resource as RoleLike;
    const cadreCodings = (role.code ?? []).flatMap((cc, i) => (cc.coding ?? []).map((c, j) => ({ c, at: `PractitionerRole.code[${i}].coding[${j}]` })))
      .filter(({ c }) => c.system === cadreSystem);
    if (cadreCodings.length > 0) {
      const cadres = await loadCadres(repo, source);
      for (const { c, at } of cadreCodings) {
        if (!c.code || !cadres.has(c.code)) throw workforceErrors.unknownCadre(c.code ?? '', at);
        if (!cadres.isSelectable(c.code)) throw workforceErrors.groupingCadre(c.code, at);
      }
    }
    const practitioner = localReference(role.practitioner);
    if (!practitioner || !isCurrent(role)) return;
    // Two roles written at once for one worker must not both see nine others and both pass.
    await repo.lockCondition('PractitionerRole', `practitioner=${practitioner}`);
    const facilities = new Set(facilitiesOf(role));
    for (const other of await otherRolesOf(repo, practitioner, role.id)) {
      if (isCurrent(other)) for (const f of facilitiesOf(other)) facilities.add(f);
    }
    if (facilities.size > maxFacilitiesPerWorker) throw workforceErrors.tooManyFacilities(practitioner, facilities.size, maxFacilitiesPerWorker);
  },
});
