/**
 * The synthetic people of matching/synthetic-people.ts as the FHIR Patients facilities would send
 * (national ID, the facility's record number, phone, home address with sector/cell/village), for the
 * bulk loader's tests and the registry benchmark. Deterministic from the seed.
 */
import type { FhirResource } from '../../fhir/repository/resource-types.ts';
import { FACILITY_MRN_PREFIX } from './identifier-authorities.ts';
import { NATIONAL_ID_SYSTEM, type PersonRecord } from './matching/index.ts';
import { generateSyntheticPeople, type SyntheticOptions } from './matching/synthetic-people.ts';

const EXT = 'https://moh.gov.rw/fhir/StructureDefinition/address-';

/** A facility's Patient for one synthetic record; `facility` picks the MRN domain. */
export function patientFromPerson(r: PersonRecord, facility: string): FhirResource {
  const patient: Record<string, unknown> = {
    resourceType: 'Patient',
    id: r.id,
    identifier: [
      ...r.nationalIds.map((value) => ({ system: NATIONAL_ID_SYSTEM, value })),
      { system: `${FACILITY_MRN_PREFIX}${facility}`, value: r.id.toUpperCase() },
    ],
    name: [{ ...(r.family.length > 0 ? { family: r.family.join(' ') } : {}), ...(r.given.length > 0 ? { given: r.given } : {}) }],
  };
  if (r.phones.length > 0) patient.telecom = r.phones.map((value) => ({ system: 'phone', value }));
  if (r.sex) patient.gender = r.sex;
  if (r.birthDate) patient.birthDate = r.birthDate;
  if (r.district || r.sector || r.cell || r.village) {
    const extension = [
      ...(r.sector ? [{ url: `${EXT}sector`, valueString: r.sector }] : []),
      ...(r.cell ? [{ url: `${EXT}cell`, valueString: r.cell }] : []),
      ...(r.village ? [{ url: `${EXT}village`, valueString: r.village }] : []),
    ];
    patient.address = [{ use: 'home', ...(r.district ? { district: r.district } : {}), country: 'RW', ...(extension.length > 0 ? { extension } : {}) }];
  }
  return patient as FhirResource;
}

const facilities = Array.from({ length: 50 }, (_, i) => `hc-${String(i + 1).padStart(3, '0')}`);

/**
 * About `records` synthetic facility Patients (people × ~1.65 records each), in arrival order, with
 * the ground truth (record id → person id). Records whose national ID got a typo carry an invalid
 * check digit: the registry refuses those, as it must.
 */
export function syntheticPatients(records: number, options: Omit<SyntheticOptions, 'people'> = {}): { patients: FhirResource[]; truth: Map<string, string> } {
  const data = generateSyntheticPeople({ ...options, people: Math.max(1, Math.round(records / 1.65)) });
  const patients = data.records.slice(0, records).map((r, i) => patientFromPerson(r, facilities[i % facilities.length]));
  return { patients, truth: data.truth };
}
