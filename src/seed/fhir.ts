/**
 * Minimal FHIR R4 shapes used by the seed generator. Deliberately loose (the generator is checked
 * against the official StructureDefinitions in the tests instead).
 */

export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Reference {
  reference?: string;
  type?: string;
  display?: string;
}

export interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}

export interface Identifier {
  use?: 'usual' | 'official' | 'temp' | 'secondary' | 'old';
  type?: CodeableConcept;
  system?: string;
  value?: string;
  period?: { start?: string; end?: string };
  assigner?: Reference;
}

export interface FhirResource {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
}

export interface BundleEntryRequest {
  method: 'POST' | 'PUT';
  url: string;
}

export interface BundleEntry {
  fullUrl: string;
  resource: FhirResource;
  request: BundleEntryRequest;
}

export interface FhirTransactionBundle {
  resourceType: 'Bundle';
  id?: string;
  meta?: { tag?: Coding[] };
  type: 'transaction';
  entry: BundleEntry[];
}

// ---- code systems and identifier systems -------------------------------------------------------

export const SYSTEMS = {
  nationalId: 'https://moh.gov.rw/fhir/id/national-id',
  cbhi: 'https://moh.gov.rw/fhir/id/cbhi',
  facility: 'https://moh.gov.rw/fhir/id/facility',
  practitionerLicence: 'https://moh.gov.rw/fhir/id/practitioner-licence',
  essentialMedicines: 'https://moh.gov.rw/fhir/CodeSystem/essential-medicines',
  facilityLevel: 'https://moh.gov.rw/fhir/CodeSystem/facility-level',
  addressSectorExt: 'https://moh.gov.rw/fhir/StructureDefinition/address-sector',
  addressCellExt: 'https://moh.gov.rw/fhir/StructureDefinition/address-cell',
  addressVillageExt: 'https://moh.gov.rw/fhir/StructureDefinition/address-village',
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  snomed: 'http://snomed.info/sct',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  bcp47: 'urn:ietf:bcp:47',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  v2Degree: 'http://terminology.hl7.org/CodeSystem/v2-0360',
  v2ContactRole: 'http://terminology.hl7.org/CodeSystem/v2-0131',
  v2ParticipationFunction: 'http://terminology.hl7.org/CodeSystem/v2-0443',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3ActReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  v3ParticipationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  v3MaritalStatus: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  v3Route: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration',
  v3DrugForm: 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  dischargeDisposition: 'http://terminology.hl7.org/CodeSystem/discharge-disposition',
  medicationRequestCategory: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
} as const;

/**
 * Every generated resource carries this tag ("test health data", HL7 v3 ActReason HTEST) so that
 * demo data can be found and removed: `_tag=http://terminology.hl7.org/CodeSystem/v3-ActReason|HTEST`.
 */
export const DEMO_TAG: Coding = { system: SYSTEMS.v3ActReason, code: 'HTEST', display: 'test health data' };

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function concept(system: string, code: string, display?: string, text?: string): CodeableConcept {
  const cc: CodeableConcept = { coding: [coding(system, code, display)] };
  if (text !== undefined) cc.text = text;
  return cc;
}

export function quantity(value: number, ucumCode: string, unit = ucumCode): Quantity {
  return { value, unit, system: SYSTEMS.ucum, code: ucumCode };
}

export function ref(reference: string, display?: string): Reference {
  return display === undefined ? { reference } : { reference, display };
}

/**
 * Adds the demo tag to a resource, in place (the generator may still fill in elements afterwards),
 * moving `meta` right after `id` for readability.
 */
export function tagged<T extends FhirResource>(resource: T): T {
  const meta = { ...(resource.meta as Record<string, unknown> | undefined), tag: [DEMO_TAG] };
  const rest = Object.entries(resource).filter(([k]) => k !== 'resourceType' && k !== 'id' && k !== 'meta');
  for (const [k] of rest) delete (resource as FhirResource)[k];
  (resource as FhirResource).meta = meta;
  for (const [k, v] of rest) (resource as FhirResource)[k] = v;
  return resource;
}

/** Collects the entries of one transaction bundle. */
export class BundleBuilder {
  readonly entries: BundleEntry[] = [];

  /** Adds a resource created with a client-chosen id: `PUT Type/id`. Returns the fullUrl. */
  put(resource: FhirResource, fullUrl: string): string {
    if (!resource.id) throw new Error(`PUT needs an id: ${resource.resourceType}`);
    this.entries.push({
      fullUrl,
      resource: tagged(resource),
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    });
    return fullUrl;
  }

  /** Adds a resource the server will give an id: `POST Type`. Returns the fullUrl. */
  post(resource: FhirResource, fullUrl: string): string {
    this.entries.push({ fullUrl, resource: tagged(resource), request: { method: 'POST', url: resource.resourceType } });
    return fullUrl;
  }

  build(id: string): FhirTransactionBundle {
    return { resourceType: 'Bundle', id, meta: { tag: [DEMO_TAG] }, type: 'transaction', entry: this.entries };
  }
}
