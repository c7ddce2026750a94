import type { Basic, Extension, Period, Reference } from './types.ts';

export const licenceTypeSystem = 'https://moh.gov.rw/fhir/CodeSystem/licence-type';
const sd = 'https://moh.gov.rw/fhir/StructureDefinition/';
export const licenceExt = {
  number: `${sd}licence-number`,
  issuer: `${sd}licence-issuer`,
  period: `${sd}licence-period`,
  status: `${sd}licence-status`,
  scope: `${sd}licence-scope`,
} as const;

export type LicenceKind = 'practitioner-licence' | 'facility-digital-health-licence';
export const licenceKinds: LicenceKind[] = ['practitioner-licence', 'facility-digital-health-licence'];
export type LicenceStatus = 'active' | 'suspended' | 'revoked' | 'expired';
export const licenceStatuses: LicenceStatus[] = ['active', 'suspended', 'revoked', 'expired'];
/** The Mantine colour a licence status is shown in, wherever a licence appears. */
export const licenceStatusColor: Record<LicenceStatus, string> = { active: 'teal', suspended: 'yellow', revoked: 'red', expired: 'gray' };

export interface Licence {
  id?: string;
  versionId?: string;
  kind?: LicenceKind;
  holder?: Reference;
  number?: string;
  issuer?: string;
  period?: Period;
  status?: LicenceStatus;
  scope?: string;
  created?: string;
}

function ext(basic: Basic, url: string): Extension | undefined {
  return basic.extension?.find((e) => e.url === url);
}

export function licenceFromBasic(basic: Basic): Licence {
  const code = basic.code.coding?.find((c) => c.system === licenceTypeSystem)?.code;
  const status = ext(basic, licenceExt.status)?.valueCode;
  return {
    id: basic.id,
    versionId: basic.meta?.versionId,
    kind: code === 'practitioner-licence' || code === 'facility-digital-health-licence' ? code : undefined,
    holder: basic.subject,
    number: ext(basic, licenceExt.number)?.valueString,
    issuer: ext(basic, licenceExt.issuer)?.valueString,
    period: ext(basic, licenceExt.period)?.valuePeriod,
    status: licenceStatuses.includes(status as LicenceStatus) ? (status as LicenceStatus) : undefined,
    scope: ext(basic, licenceExt.scope)?.valueString,
    created: basic.created,
  };
}

export interface NewLicence {
  kind: LicenceKind;
  holder: Reference;
  number: string;
  issuer: string;
  period: Period;
  scope?: string;
}

export function basicForNewLicence(licence: NewLicence, today: string): Basic {
  const extension: Extension[] = [
    { url: licenceExt.number, valueString: licence.number },
    { url: licenceExt.issuer, valueString: licence.issuer },
    { url: licenceExt.period, valuePeriod: licence.period },
    { url: licenceExt.status, valueCode: 'active' },
  ];
  if (licence.kind === 'facility-digital-health-licence' && licence.scope) extension.push({ url: licenceExt.scope, valueString: licence.scope });
  return {
    resourceType: 'Basic',
    code: { coding: [{ system: licenceTypeSystem, code: licence.kind }] },
    subject: licence.holder,
    created: today,
    extension,
  };
}

/** The same Basic with only its status changed (every other field, known or not, is kept). */
export function withStatus(basic: Basic, status: LicenceStatus): Basic {
  const others = (basic.extension ?? []).filter((e) => e.url !== licenceExt.status);
  return { ...basic, extension: [...others, { url: licenceExt.status, valueCode: status }] };
}

export type LicenceAction = 'suspend' | 'revoke' | 'reinstate';

/** What the regulator may do from each status: a revoked licence is final; an expired one is renewed by issuing anew. */
export function allowedActions(status: LicenceStatus | undefined): LicenceAction[] {
  switch (status) {
    case 'active': return ['suspend', 'revoke'];
    case 'suspended': return ['reinstate', 'revoke'];
    default: return [];
  }
}

export const statusAfter: Record<LicenceAction, LicenceStatus> = { suspend: 'suspended', revoke: 'revoked', reinstate: 'active' };

export function licenceQuery(kind: LicenceKind): string {
  return `Basic?code=${encodeURIComponent(`${licenceTypeSystem}|${kind}`)}&_count=50`;
}
