/**
 * Digital clinics of the demo dataset: virtual facilities whose specialists consult, by video, at
 * several district hospitals. They are built by the facility registry's own builder (the one its CSV
 * import uses: a virtual Location, an Organization of type digital-clinic, a HealthcareService listing
 * the hospitals served), and placed where the generated workforce is thinnest: the districts furthest
 * below the WHO threshold, as Location/$workforce-density orders them.
 */
import { facilityResources } from '../registry/facility/facility-import.ts';
import { sdgCadreGroups } from '../registry/workforce/cadre.ts';
import { computeDensity, defaultThreshold, type Worker } from '../registry/workforce/workforce-density.ts';
import { maxFacilitiesPerWorker } from '../registry/workforce/practitioner-role-rules.ts';
import type { FhirResource } from './fhir.ts';
import type { District, Geography } from './geography.ts';
import { rwandanName, type Sex } from './names.ts';
import type { Rng } from './prng.ts';
import { rwandanMobile, SPECIALTIES, type Cadre, type Facility, type ReferenceResolver, type StaffMember } from './reference-data.ts';

export interface DigitalClinic {
  /** Facility code, e.g. "dc-01". */
  code: string;
  /** Stable FHIR id of its Location and Organization. */
  id: string;
  name: string;
  /** The district it belongs to (partOf): the furthest below the threshold of those it serves. */
  district: District;
  /** The district hospitals it serves, furthest below the threshold first. */
  serves: Facility[];
  specialists: StaffMember[];
}

export interface DigitalClinicOptions {
  clinics: number;
  /** Hospitals each clinic serves; with the clinic itself, a specialist's facilities (at most ten). */
  hospitalsPerClinic: number;
  specialistsPerClinic: number;
}

export const DEFAULT_DIGITAL_CLINICS: DigitalClinicOptions = { clinics: 3, hospitalsPerClinic: 6, specialistsPerClinic: 3 };

const cadreGroup: Record<Cadre, string> = { specialist: 'medical-doctor', doctor: 'medical-doctor', nurse: 'nurse', midwife: 'midwife' };

/** Districts by doctors, nurses and midwives per 1,000 people (2022 census), furthest below WHO's 4.45 first. */
export function districtsFurthestBelow(geo: Geography, staff: StaffMember[]): District[] {
  const workers: Worker[] = staff.map((s) => ({
    group: cadreGroup[s.cadre],
    districts: [s.facility, ...(s.alsoAt ?? [])].flatMap((place) => ('district' in place ? [(place as Facility).district.name] : [])),
  }));
  const report = computeDensity(workers, { threshold: defaultThreshold, countedGroups: sdgCadreGroups, groups: sdgCadreGroups });
  return report.districts.map((row) => geo.districts.find((d) => d.name === row.district) as District);
}

/**
 * Plans the digital clinics: the districts furthest below the threshold are taken in order, `hospitalsPerClinic`
 * at a time; each clinic serves those districts' hospitals and belongs to the first of them. Its specialists
 * hold a role at the clinic and at every hospital it serves.
 */
export function planDigitalClinics(geo: Geography, facilities: Facility[], staff: StaffMember[], rng: Rng, options: DigitalClinicOptions = DEFAULT_DIGITAL_CLINICS): DigitalClinic[] {
  if (options.hospitalsPerClinic + 1 > maxFacilitiesPerWorker) throw new RangeError(`a clinic's specialists may serve at most ${maxFacilitiesPerWorker} facilities, the clinic included`);
  const order = districtsFurthestBelow(geo, staff);
  const hospitalOf = (d: District) => facilities.find((f) => f.level === 'district' && f.district === d) as Facility;
  const licences = new Set(staff.map((s) => s.licence));
  const clinics: DigitalClinic[] = [];
  for (let i = 0; i < options.clinics; i++) {
    const districts = order.slice(i * options.hospitalsPerClinic, (i + 1) * options.hospitalsPerClinic);
    if (districts.length === 0) break;
    const code = `dc-${String(i + 1).padStart(2, '0')}`;
    const clinic: DigitalClinic = { code, id: `rw-fac-${code}`, name: `${districts[0].name} Digital Clinic`, district: districts[0], serves: districts.map(hospitalOf), specialists: [] };
    for (let j = 0; j < options.specialistsPerClinic; j++) {
      const sex: Sex = rng.chance(0.45) ? 'female' : 'male';
      const birthYear = rng.int(1965, 1988);
      let licence: string;
      do licence = `MD-${rng.digits(5)}`;
      while (licences.has(licence));
      licences.add(licence);
      clinic.specialists.push({
        practitionerId: `rw-pr-${code}-${j + 1}`,
        roleId: `rw-prrole-${code}-${j + 1}`,
        name: rwandanName(rng, sex, birthYear),
        sex,
        cadre: 'specialist',
        specialty: SPECIALTIES[j % SPECIALTIES.length],
        facility: { id: clinic.id, name: clinic.name, code },
        alsoAt: clinic.serves,
        licence,
        phone: rwandanMobile(rng),
        birthYear,
        graduationYear: birthYear + rng.int(24, 27) + 5,
      });
    }
    clinics.push(clinic);
  }
  return clinics;
}

/** Every reference of a resource through the bundle's resolver: same-bundle targets become their fullUrl. */
function resolvedReferences<T>(value: T, refs: ReferenceResolver): T {
  if (Array.isArray(value)) return value.map((v) => resolvedReferences(v, refs)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) =>
      [k, k === 'reference' && typeof v === 'string' ? refs.to(v).reference : resolvedReferences(v, refs)])) as T;
  }
  return value;
}

/** A clinic's Organization, virtual Location and HealthcareService, as the facility import would write them. */
export function digitalClinicResources(clinic: DigitalClinic): FhirResource[] {
  const { location, organization, service } = facilityResources({
    code: clinic.code, name: clinic.name, type: 'digital-clinic', locationId: clinic.id, organizationId: clinic.id,
    parentLocation: `Location/${clinic.district.locationId}`, district: clinic.district.name,
    serves: clinic.serves.map((h) => h.id),
  });
  return [organization, location, ...(service ? [service] : [])] as FhirResource[];
}

/** The same, references to resources of the bundle being built rewritten to their fullUrl (call in bundle order). */
export function digitalClinicEntries(clinic: DigitalClinic, refs: ReferenceResolver, add: (resource: FhirResource) => void): void {
  for (const r of digitalClinicResources(clinic)) add(resolvedReferences(r, refs));
}
