import type { Queryable } from '../../db/database.ts';
import type { ContentCodec } from '../../fhir/repository/content-codec.ts';
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { FhirError } from '../../fhir/outcome/fhir-error.ts';
import type { Actor } from '../access/actor.ts';
import { effectiveStatus, facilityLicence, practitionerLicence } from './licence.ts';
import { findLicences } from './licence-store.ts';

export type LicensedAction = 'prescribing' | 'teleconsultation';

/** Which writes are clinical actions the law reserves to licensed providers. */
export function licensedActionOf(resource: FhirResource): LicensedAction | undefined {
  if (resource.resourceType === 'MedicationRequest') return 'prescribing';
  const encounterClass = (resource.class as { code?: string } | undefined)?.code;
  if (resource.resourceType === 'Encounter' && encounterClass === 'VR') return 'teleconsultation';
  return undefined;
}

export class LicenceRequired extends FhirError {
  constructor(diagnostics: string) {
    super(403, [{ severity: 'error', code: 'forbidden', diagnostics }]);
  }
}

/**
 * Prescribing needs an active practitioner licence; a teleconsultation also needs the facility's
 * licence for digital health services. Refused with the reason (missing, suspended, revoked, expired).
 */
export async function assertLicensed(sql: Queryable, content: ContentCodec, actor: Actor, action: LicensedAction, now = new Date()): Promise<void> {
  if (actor.kind !== 'person') return;
  if (!actor.fhirUser?.startsWith('Practitioner/')) throw new LicenceRequired(`${action} is reserved to licensed practitioners`);
  const own = await findLicences(sql, content, { type: practitionerLicence, subjects: [actor.fhirUser] });
  const statuses = own.map((l) => effectiveStatus(l, now));
  if (!statuses.includes('active')) {
    const why = statuses.length === 0 ? 'has no licence on record' : `licence is ${statuses.join(', ')}`;
    throw new LicenceRequired(`${action} refused: ${actor.fhirUser} ${why}`);
  }
  if (action !== 'teleconsultation') return;
  const facilities = actor.facilities.map((f) => `Organization/${f}`);
  const facilityLicences = facilities.length > 0 ? await findLicences(sql, content, { type: facilityLicence, subjects: facilities }) : [];
  const facilityStatuses = facilityLicences.map((l) => effectiveStatus(l, now));
  if (!facilityStatuses.includes('active')) {
    const why = facilityStatuses.length === 0 ? 'holds no licence for digital health services' : `licence is ${facilityStatuses.join(', ')}`;
    throw new LicenceRequired(`teleconsultation refused: the facility ${facilities.join(', ') || '(none)'} ${why}`);
  }
}
