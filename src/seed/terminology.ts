/**
 * The codes the demo data uses, in one place: LOINC vital signs, WHO ICD-10 diagnoses, CVX
 * vaccines, and the local essential-medicines and facility-level code systems (whose CodeSystem
 * resources are loaded with the reference data).
 */
import { SYSTEMS, type Coding, type FhirResource } from './fhir.ts';
import { essentialMedicinesCodeSystem } from '../registry/product/product-catalogue.ts';

// ---- vital signs (LOINC, UCUM) -----------------------------------------------------------------

export interface VitalSign {
  loinc: string;
  display: string;
  ucum: string;
  unit: string;
  /** The FHIR R4 core vital-signs profile the Observation conforms to (declared in meta.profile). */
  profile?: string;
}

const VS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/';

export const VITALS = {
  weight: { loinc: '29463-7', display: 'Body weight', ucum: 'kg', unit: 'kg', profile: VS_PROFILE + 'bodyweight' },
  height: { loinc: '8302-2', display: 'Body height', ucum: 'cm', unit: 'cm', profile: VS_PROFILE + 'bodyheight' },
  bpPanel: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', ucum: 'mm[Hg]', unit: 'mmHg', profile: VS_PROFILE + 'bp' },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure', ucum: 'mm[Hg]', unit: 'mmHg' },
  diastolic: { loinc: '8462-4', display: 'Diastolic blood pressure', ucum: 'mm[Hg]', unit: 'mmHg' },
  temperature: { loinc: '8310-5', display: 'Body temperature', ucum: 'Cel', unit: 'C', profile: VS_PROFILE + 'bodytemp' },
  heartRate: { loinc: '8867-4', display: 'Heart rate', ucum: '/min', unit: 'beats/minute', profile: VS_PROFILE + 'heartrate' },
} as const satisfies Record<string, VitalSign>;

// ---- diagnoses (WHO ICD-10) --------------------------------------------------------------------

export type ConditionKey = 'malaria' | 'pneumonia' | 'urti' | 'hypertension' | 'diabetes' | 'hiv' | 'tuberculosis';

export interface ConditionDef {
  key: ConditionKey;
  /** WHO ICD-10 code and its WHO title. */
  code: string;
  display: string;
  /** Plain-language text. */
  text: string;
  chronic: boolean;
}

/**
 * Displays are the WHO ICD-10 titles (the `http://hl7.org/fhir/sid/icd-10` system is WHO's
 * ICD-10, not the US ICD-10-CM). For HIV the WHO code for unspecified HIV disease is B24
 * (B20 in WHO ICD-10 means "HIV disease resulting in infectious and parasitic diseases").
 */
export const CONDITIONS: Record<ConditionKey, ConditionDef> = {
  malaria: { key: 'malaria', code: 'B54', display: 'Unspecified malaria', text: 'Malaria', chronic: false },
  pneumonia: { key: 'pneumonia', code: 'J18.9', display: 'Pneumonia, unspecified', text: 'Pneumonia', chronic: false },
  urti: {
    key: 'urti',
    code: 'J06.9',
    display: 'Acute upper respiratory infection, unspecified',
    text: 'Upper respiratory tract infection',
    chronic: false,
  },
  hypertension: { key: 'hypertension', code: 'I10', display: 'Essential (primary) hypertension', text: 'Hypertension', chronic: true },
  diabetes: { key: 'diabetes', code: 'E11.9', display: 'Non-insulin-dependent diabetes mellitus without complications', text: 'Type 2 diabetes mellitus', chronic: true },
  hiv: { key: 'hiv', code: 'B24', display: 'Unspecified human immunodeficiency virus [HIV] disease', text: 'HIV infection', chronic: true },
  tuberculosis: {
    key: 'tuberculosis',
    code: 'A15',
    display: 'Respiratory tuberculosis, bacteriologically and histologically confirmed',
    text: 'Pulmonary tuberculosis, bacteriologically confirmed',
    chronic: false,
  },
};

// ---- vaccines (CVX) and the Rwanda EPI schedule --------------------------------------------------

export interface VaccineDef {
  cvx: string;
  display: string;
  text: string;
  route: Coding;
}

const ROUTE = {
  intradermal: { system: SYSTEMS.v3Route, code: 'IDINJ', display: 'Injection, intradermal' },
  intramuscular: { system: SYSTEMS.v3Route, code: 'IM', display: 'Injection, intramuscular' },
  subcutaneous: { system: SYSTEMS.v3Route, code: 'SQ', display: 'Injection, subcutaneous' },
  oral: { system: SYSTEMS.v3Route, code: 'PO', display: 'Swallow, oral' },
} as const;

export const VACCINES = {
  bcg: { cvx: '19', display: 'BCG', text: 'BCG', route: ROUTE.intradermal },
  /** Trivalent OPV: used worldwide until the April 2016 switch. */
  topv: { cvx: '02', display: 'OPV', text: 'Oral polio vaccine (trivalent)', route: ROUTE.oral },
  /** Bivalent OPV (types 1 and 3): Rwanda's OPV since the April 2016 switch. */
  bopv: { cvx: '178', display: 'OPV bivalent', text: 'Oral polio vaccine (bivalent)', route: ROUTE.oral },
  ipv: { cvx: '10', display: 'IPV', text: 'Inactivated polio vaccine', route: ROUTE.intramuscular },
  penta: { cvx: '102', display: 'DTP-Hib-Hep B', text: 'Pentavalent (DTP-HepB-Hib)', route: ROUTE.intramuscular },
  pcv13: { cvx: '133', display: 'PCV13', text: 'Pneumococcal conjugate vaccine (PCV13)', route: ROUTE.intramuscular },
  rota: { cvx: '119', display: 'rotavirus, monovalent', text: 'Rotavirus vaccine', route: ROUTE.oral },
  /** Measles-rubella is CVX 04 ("M/R"); CVX 94 is MMRV. */
  mr: { cvx: '04', display: 'M/R', text: 'Measles-rubella vaccine', route: ROUTE.subcutaneous },
  hpv: { cvx: '62', display: 'HPV, quadrivalent', text: 'Human papillomavirus vaccine', route: ROUTE.intramuscular },
} as const satisfies Record<string, VaccineDef>;

export interface ScheduledDose {
  vaccine: keyof typeof VACCINES;
  /** Dose number in the series; 0 is the birth dose of OPV. */
  dose: number;
  /** Age at which the dose is due, in days. */
  ageDays: number;
  /** First date the vaccine was given routinely in Rwanda (approximate). */
  since: string;
  onlyFemale?: boolean;
}

/** Rwanda's routine childhood immunization schedule (Expanded Programme on Immunization). */
export const EPI_SCHEDULE: ScheduledDose[] = [
  { vaccine: 'bcg', dose: 1, ageDays: 0, since: '1980-01-01' },
  { vaccine: 'bopv', dose: 0, ageDays: 0, since: '1980-01-01' },
  { vaccine: 'bopv', dose: 1, ageDays: 42, since: '1980-01-01' },
  { vaccine: 'penta', dose: 1, ageDays: 42, since: '2002-01-01' },
  { vaccine: 'pcv13', dose: 1, ageDays: 42, since: '2011-01-01' },
  { vaccine: 'rota', dose: 1, ageDays: 42, since: '2012-05-01' },
  { vaccine: 'bopv', dose: 2, ageDays: 70, since: '1980-01-01' },
  { vaccine: 'penta', dose: 2, ageDays: 70, since: '2002-01-01' },
  { vaccine: 'pcv13', dose: 2, ageDays: 70, since: '2011-01-01' },
  { vaccine: 'rota', dose: 2, ageDays: 70, since: '2012-05-01' },
  { vaccine: 'bopv', dose: 3, ageDays: 98, since: '1980-01-01' },
  { vaccine: 'penta', dose: 3, ageDays: 98, since: '2002-01-01' },
  { vaccine: 'pcv13', dose: 3, ageDays: 98, since: '2011-01-01' },
  { vaccine: 'ipv', dose: 1, ageDays: 98, since: '2015-03-01' },
  { vaccine: 'mr', dose: 1, ageDays: 274, since: '2013-03-01' },
  { vaccine: 'mr', dose: 2, ageDays: 456, since: '2014-01-01' },
  { vaccine: 'hpv', dose: 1, ageDays: 12 * 365 + 100, since: '2011-04-01', onlyFemale: true },
];

/** Before this date OPV doses are the trivalent vaccine. */
export const BOPV_SWITCH_DATE = '2016-04-25';

// ---- medicines (local essential-medicines code system) -------------------------------------------

export interface MedicineDef {
  code: string;
  display: string;
}

export const MEDICINES = {
  artemetherLumefantrine: { code: 'EM-AL-20-120-TAB', display: 'Artemether/Lumefantrine 20/120 mg tablet' },
  amoxicillinDispersible: { code: 'EM-AMOX-250-DT', display: 'Amoxicillin 250 mg dispersible tablet' },
  amoxicillinCapsule: { code: 'EM-AMOX-500-CAP', display: 'Amoxicillin 500 mg capsule' },
  paracetamolTablet: { code: 'EM-PCM-500-TAB', display: 'Paracetamol 500 mg tablet' },
  paracetamolSyrup: { code: 'EM-PCM-120-5-SYR', display: 'Paracetamol 120 mg/5 mL oral suspension' },
  metformin: { code: 'EM-MET-500-TAB', display: 'Metformin 500 mg tablet' },
  amlodipine: { code: 'EM-AML-5-TAB', display: 'Amlodipine 5 mg tablet' },
  tld: { code: 'EM-TLD-TAB', display: 'Tenofovir/Lamivudine/Dolutegravir 300/300/50 mg tablet' },
  cotrimoxazole: { code: 'EM-CTX-960-TAB', display: 'Sulfamethoxazole/Trimethoprim 800/160 mg tablet' },
  rhze: { code: 'EM-RHZE-TAB', display: 'Rifampicin/Isoniazid/Pyrazinamide/Ethambutol 150/75/400/275 mg tablet' },
} as const satisfies Record<string, MedicineDef>;

export type MedicineKey = keyof typeof MEDICINES;

// ---- facility levels ------------------------------------------------------------------------------

export const FACILITY_LEVELS = {
  referral: { code: 'referral-hospital', display: 'Referral hospital' },
  district: { code: 'district-hospital', display: 'District hospital' },
  healthCentre: { code: 'health-centre', display: 'Health centre' },
} as const;

export type FacilityLevel = keyof typeof FACILITY_LEVELS;

// ---- CodeSystem resources for the local systems -----------------------------------------------

export function localCodeSystems(date: string): FhirResource[] {
  return [
    // The product catalogue's codes, so prescriptions name products the catalogue describes.
    essentialMedicinesCodeSystem(date) as FhirResource,
    {
      resourceType: 'CodeSystem',
      id: 'rw-facility-level',
      url: SYSTEMS.facilityLevel,
      version: 'demo',
      name: 'RwandaFacilityLevel',
      title: 'Rwanda health facility level',
      status: 'draft',
      experimental: true,
      date,
      publisher: 'Huza demo data',
      description: 'The tiers of Rwanda\'s public health system used by the demo data.',
      caseSensitive: true,
      content: 'complete',
      count: Object.keys(FACILITY_LEVELS).length,
      concept: Object.values(FACILITY_LEVELS).map((l) => ({ code: l.code, display: l.display })),
    },
  ];
}
