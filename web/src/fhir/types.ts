/** The small part of FHIR R4 the app reads and writes. */
export interface Coding { system?: string; code?: string; display?: string }
export interface CodeableConcept { coding?: Coding[]; text?: string }
export interface Period { start?: string; end?: string }
export interface Reference { reference?: string; display?: string; type?: string; identifier?: Identifier }
export interface Identifier { use?: string; system?: string; value?: string; type?: CodeableConcept; period?: Period; assigner?: Reference }
export interface HumanName { use?: string; text?: string; family?: string; given?: string[]; prefix?: string[]; suffix?: string[]; period?: Period }
export interface ContactPoint { system?: string; value?: string; use?: string; rank?: number }
export interface Extension {
  url: string;
  valueString?: string;
  valueCode?: string;
  valuePeriod?: Period;
  valueReference?: Reference;
  extension?: Extension[];
}
export interface Address {
  use?: string; text?: string; line?: string[]; city?: string; district?: string; state?: string; postalCode?: string; country?: string;
  extension?: Extension[];
}
export interface Meta { versionId?: string; lastUpdated?: string }

export interface Resource { resourceType: string; id?: string; meta?: Meta; extension?: Extension[] }

export interface Qualification { identifier?: Identifier[]; code: CodeableConcept; period?: Period; issuer?: Reference }

export interface Practitioner extends Resource {
  resourceType: 'Practitioner';
  identifier?: Identifier[];
  active?: boolean;
  name?: HumanName[];
  telecom?: ContactPoint[];
  address?: Address[];
  gender?: string;
  birthDate?: string;
  qualification?: Qualification[];
}

export interface Patient extends Resource {
  resourceType: 'Patient';
  identifier?: Identifier[];
  active?: boolean;
  name?: HumanName[];
  telecom?: ContactPoint[];
  address?: Address[];
  gender?: string;
  birthDate?: string;
}

export interface Organization extends Resource {
  resourceType: 'Organization';
  name?: string;
  identifier?: Identifier[];
}

export interface AuditEventAgent {
  type?: CodeableConcept;
  role?: CodeableConcept[];
  who?: Reference;
  altId?: string;
  name?: string;
  requestor: boolean;
  purposeOfUse?: CodeableConcept[];
}

export interface AuditEvent extends Resource {
  resourceType: 'AuditEvent';
  type: Coding;
  subtype?: Coding[];
  action?: 'C' | 'R' | 'U' | 'D' | 'E';
  period?: Period;
  recorded: string;
  outcome?: '0' | '4' | '8' | '12';
  outcomeDesc?: string;
  purposeOfEvent?: CodeableConcept[];
  agent: AuditEventAgent[];
  source: { site?: string; observer: Reference; type?: Coding[] };
  entity?: { what?: Reference; type?: Coding; role?: Coding; name?: string; description?: string }[];
}

export interface Basic extends Resource {
  resourceType: 'Basic';
  identifier?: Identifier[];
  code: CodeableConcept;
  subject?: Reference;
  created?: string;
  author?: Reference;
}

export interface BundleLink { relation: string; url: string }
export interface BundleEntry<T extends Resource = Resource> {
  fullUrl?: string;
  resource?: T;
  search?: { mode?: 'match' | 'include' | 'outcome'; score?: number };
}
export interface Bundle<T extends Resource = Resource> extends Resource {
  resourceType: 'Bundle';
  type: string;
  total?: number;
  link?: BundleLink[];
  entry?: BundleEntry<T>[];
}

export interface OperationOutcome extends Resource {
  resourceType: 'OperationOutcome';
  issue: { severity: string; code: string; diagnostics?: string; details?: CodeableConcept }[];
}

/** The resources of a searchset that matched (not included ones), of the asked type. */
export function matches<T extends Resource>(bundle: Bundle, resourceType: T['resourceType']): T[] {
  return (bundle.entry ?? [])
    .filter((e) => e.resource?.resourceType === resourceType && (e.search?.mode ?? 'match') === 'match')
    .map((e) => e.resource as T);
}

export function link(bundle: Bundle, relation: 'next' | 'previous' | 'prev' | 'self' | 'first' | 'last'): string | undefined {
  const wanted = relation === 'previous' || relation === 'prev' ? ['previous', 'prev'] : [relation];
  return bundle.link?.find((l) => wanted.includes(l.relation))?.url;
}
