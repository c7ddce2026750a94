import type { FhirResource } from '../../fhir/repository/resource-types.ts';

/**
 * A licence is a FHIR Basic resource: R4 has no licence resource, and Basic with extensions is how
 * FHIR carries such a concept. Practitioner licences (medical, nursing councils) and facility licences
 * for digital health services share the shape; their code tells them apart.
 */
export const licenceTypeSystem = 'https://moh.gov.rw/fhir/CodeSystem/licence-type';
export const practitionerLicence = 'practitioner-licence';
export const facilityLicence = 'facility-digital-health-licence';

const ext = (name: string) => `https://moh.gov.rw/fhir/StructureDefinition/licence-${name}`;
export const licenceExtensions = {
  number: ext('number'), issuer: ext('issuer'), period: ext('period'), status: ext('status'), scope: ext('scope'),
};

export type LicenceStatus = 'active' | 'suspended' | 'revoked' | 'expired';

export interface Licence {
  id: string;
  type: string;
  subject: string;
  number?: string;
  issuer?: string;
  start?: string;
  end?: string;
  recordedStatus: LicenceStatus;
  scope?: string;
}

type Extension = { url: string; valueString?: string; valueCode?: string; valuePeriod?: { start?: string; end?: string } };

export function readLicence(resource: FhirResource): Licence | undefined {
  const coding = (resource.code as { coding?: { system?: string; code?: string }[] } | undefined)?.coding ?? [];
  const type = coding.find((c) => c.system === licenceTypeSystem)?.code;
  if (resource.resourceType !== 'Basic' || !type) return undefined;
  const extensions = (resource.extension as Extension[] | undefined) ?? [];
  const find = (url: string) => extensions.find((e) => e.url === url);
  return {
    id: resource.id as string,
    type,
    subject: (resource.subject as { reference?: string } | undefined)?.reference ?? '',
    number: find(licenceExtensions.number)?.valueString,
    issuer: find(licenceExtensions.issuer)?.valueString,
    start: find(licenceExtensions.period)?.valuePeriod?.start,
    end: find(licenceExtensions.period)?.valuePeriod?.end,
    recordedStatus: (find(licenceExtensions.status)?.valueCode ?? 'active') as LicenceStatus,
    scope: find(licenceExtensions.scope)?.valueString,
  };
}

/** The status that holds today: an active licence outside its period is expired (or not yet valid). */
export function effectiveStatus(licence: Licence, now = new Date()): LicenceStatus | 'not-yet-valid' {
  if (licence.recordedStatus !== 'active') return licence.recordedStatus;
  if (licence.start && new Date(licence.start) > now) return 'not-yet-valid';
  if (licence.end && endOf(licence.end) < now) return 'expired';
  return 'active';
}

/** A period end written as a date covers that whole day. */
export function endOf(end: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(end) ? new Date(`${end}T23:59:59.999Z`) : new Date(end);
}
