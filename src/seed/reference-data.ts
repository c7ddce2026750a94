/**
 * The reference structure every later bundle points to, all created with PUT and stable ids:
 * the Ministry of Health, the local CodeSystems, the product catalogue, the administrative Locations (country, provinces,
 * districts), the health facilities (Organization + Location), and the health workforce
 * (Practitioner + PractitionerRole).
 */
import { DISTRICT_FACTS, REFERRAL_HOSPITALS, RWANDA_BOUNDS } from './data/rwanda.ts';
import {
  BundleBuilder,
  concept,
  coding,
  ref,
  SYSTEMS,
  type FhirResource,
  type FhirTransactionBundle,
  type Reference,
} from './fhir.ts';
import type { District, Geography } from './geography.ts';
import { rwandanName, type PersonName, type Sex } from './names.ts';
import type { Rng } from './prng.ts';
import { FACILITY_LEVELS, localCodeSystems, type FacilityLevel } from './terminology.ts';
import { productCatalogueResources } from '../registry/product/product-catalogue.ts';
import { digitalClinicEntries, type DigitalClinic } from './digital-clinics.ts';

export const MOH_ORGANIZATION_ID = 'rw-moh';
export const ADMIN_LEVEL_SYSTEM = 'https://moh.gov.rw/fhir/CodeSystem/admin-level';

/** Resolves a reference: to the fullUrl when the target is in the bundle being built, else `Type/id`. */
export class ReferenceResolver {
  readonly #local = new Map<string, string>();

  /** Records that `Type/id` is created in the current bundle with this fullUrl. */
  register(typeAndId: string, fullUrl: string): void {
    this.#local.set(typeAndId, fullUrl);
  }

  /** Starts a new bundle: earlier targets are now referenced by id. */
  reset(): void {
    this.#local.clear();
  }

  to(typeAndId: string, display?: string): Reference {
    return ref(this.#local.get(typeAndId) ?? typeAndId, display);
  }
}

/** Adds a PUT entry and registers it for same-bundle references. */
function put(builder: BundleBuilder, refs: ReferenceResolver, uuids: Rng, resource: FhirResource): void {
  const fullUrl = `urn:uuid:${uuids.uuid()}`;
  refs.register(`${resource.resourceType}/${resource.id}`, fullUrl);
  builder.put(resource, fullUrl);
}

function adminLevel(code: 'country' | 'province' | 'district', display: string) {
  return [concept(ADMIN_LEVEL_SYSTEM, code, display)];
}

const JURISDICTION = concept(SYSTEMS.locationPhysicalType, 'jdn', 'Jurisdiction');
const BUILDING = concept(SYSTEMS.locationPhysicalType, 'bu', 'Building');

/** Bundle 1: Ministry of Health, local CodeSystems, country, provinces and districts. */
export function buildAdministrativeBundle(geo: Geography, uuids: Rng, refs: ReferenceResolver, date: string): FhirTransactionBundle {
  refs.reset();
  const b = new BundleBuilder();

  put(b, refs, uuids, {
    resourceType: 'Organization',
    id: MOH_ORGANIZATION_ID,
    active: true,
    type: [concept(SYSTEMS.organizationType, 'govt', 'Government')],
    name: 'Ministry of Health',
    alias: ['MINISANTE', 'Minisiteri y\'Ubuzima'],
    telecom: [{ system: 'url', value: 'https://www.moh.gov.rw' }],
    address: [{ use: 'work', city: 'Kigali', district: 'Nyarugenge', state: 'Kigali City', country: 'RW' }],
  });

  for (const cs of localCodeSystems(date)) put(b, refs, uuids, cs);
  // The product catalogue is reference data too: prescriptions and stock point at its products.
  for (const r of productCatalogueResources({ medicineCodeSystem: false }) as FhirResource[]) {
    if (r.resourceType === 'MedicationKnowledge') {
      const [medication] = r.associatedMedication as Reference[];
      r.associatedMedication = [refs.to(medication.reference as string, medication.display)];
    }
    put(b, refs, uuids, r);
  }
  put(b, refs, uuids, {
    resourceType: 'CodeSystem',
    id: 'rw-admin-level',
    url: ADMIN_LEVEL_SYSTEM,
    version: 'demo',
    name: 'RwandaAdministrativeLevel',
    title: 'Rwanda administrative level',
    status: 'draft',
    experimental: true,
    date,
    publisher: 'Huza demo data',
    description: 'The levels of Rwanda\'s administrative map (2006 reform).',
    caseSensitive: true,
    content: 'complete',
    count: 6,
    concept: [
      { code: 'country', display: 'Country' },
      { code: 'province', display: 'Province' },
      { code: 'district', display: 'District' },
      { code: 'sector', display: 'Sector' },
      { code: 'cell', display: 'Cell' },
      { code: 'village', display: 'Village' },
    ],
  });

  put(b, refs, uuids, {
    resourceType: 'Location',
    id: geo.country.locationId,
    status: 'active',
    name: geo.country.name,
    alias: ['u Rwanda', 'Repubulika y\'u Rwanda'],
    description: geo.source,
    mode: 'instance',
    type: adminLevel('country', 'Country'),
    physicalType: JURISDICTION,
    address: { country: geo.country.iso3166 },
    position: { latitude: -1.94, longitude: 29.87 },
  });

  for (const p of geo.provinces) {
    const lat = p.districts.reduce((s, d) => s + d.facts.lat, 0) / p.districts.length;
    const long = p.districts.reduce((s, d) => s + d.facts.long, 0) / p.districts.length;
    put(b, refs, uuids, {
      resourceType: 'Location',
      id: p.locationId,
      status: 'active',
      name: p.name,
      alias: [p.kinyarwanda],
      mode: 'instance',
      type: adminLevel('province', 'Province'),
      physicalType: JURISDICTION,
      address: { state: p.name, country: geo.country.iso3166 },
      position: { latitude: round(lat, 4), longitude: round(long, 4) },
      partOf: refs.to(`Location/${geo.country.locationId}`, geo.country.name),
    });
  }

  for (const d of geo.districts) {
    put(b, refs, uuids, {
      resourceType: 'Location',
      id: d.locationId,
      status: 'active',
      name: d.name,
      alias: [`Akarere ka ${d.name}`],
      mode: 'instance',
      type: adminLevel('district', 'District'),
      physicalType: JURISDICTION,
      address: { district: d.name, state: d.province.name, country: geo.country.iso3166 },
      position: { latitude: d.facts.lat, longitude: d.facts.long },
      partOf: refs.to(`Location/${d.province.locationId}`, d.province.name),
    });
  }

  return b.build('demo-01-administrative');
}

// ---- facilities ------------------------------------------------------------------------------

export interface Facility {
  /** Facility code (identifier value in the facility system), e.g. "dh-musanze". */
  code: string;
  name: string;
  alias: string[];
  level: FacilityLevel;
  district: District;
  /** The sector a health centre serves (and is named after). */
  sector?: string;
  lat: number;
  long: number;
  roleCode: { code: string; display: string };
  /** Stable FHIR ids (the same for the Organization and the Location). */
  id: string;
  /** Code of the parent facility (a health centre's district hospital). */
  parentCode?: string;
  phone: string;
  staff: StaffMember[];
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function jitterPosition(rng: Rng, lat: number, long: number, spread: number): { lat: number; long: number } {
  return {
    lat: round(clamp(lat + rng.real(-spread, spread), RWANDA_BOUNDS.latMin, RWANDA_BOUNDS.latMax), 5),
    long: round(clamp(long + rng.real(-spread, spread), RWANDA_BOUNDS.longMin, RWANDA_BOUNDS.longMax), 5),
  };
}

export function rwandanMobile(rng: Rng): string {
  // MTN 078/079, Airtel 072/073: +250 7X XXX XXXX
  return `+2507${rng.pick(['2', '3', '8', '8', '8', '9'])}${rng.digits(7)}`;
}

const ROLE_CODES = {
  HOSP: { code: 'HOSP', display: 'Hospital' },
  GACH: { code: 'GACH', display: 'Hospitals; General Acute Care Hospital' },
  MHSP: { code: 'MHSP', display: 'Military Hospital' },
  PC: { code: 'PC', display: 'Primary care clinic' },
} as const;

/**
 * Plans the facilities: the referral hospitals, then per district `perDistrict` facilities: one
 * district hospital and `perDistrict - 1` health centres named after sectors of the district.
 */
export function planFacilities(geo: Geography, rng: Rng, perDistrict: number): Facility[] {
  const out: Facility[] = [];
  for (const r of REFERRAL_HOSPITALS) {
    const district = geo.districts.find((d) => d.name === r.district);
    if (!district) throw new Error(`unknown district ${r.district}`);
    out.push({
      code: r.code,
      name: r.name,
      alias: r.alias,
      level: 'referral',
      district,
      lat: r.lat,
      long: r.long,
      roleCode: ROLE_CODES[r.roleCode],
      id: `rw-fac-${r.code}`,
      phone: rwandanMobile(rng),
      staff: [],
    });
  }
  for (const d of geo.districts) {
    const facts = DISTRICT_FACTS[d.name];
    const dhCode = `dh-${d.slug}`;
    const dhPos = jitterPosition(rng, facts.lat, facts.long, 0.03);
    out.push({
      code: dhCode,
      name: `${facts.hospital} District Hospital`,
      alias: [`${facts.hospital} DH`],
      level: 'district',
      district: d,
      lat: dhPos.lat,
      long: dhPos.long,
      roleCode: ROLE_CODES.HOSP,
      id: `rw-fac-${dhCode}`,
      phone: rwandanMobile(rng),
      staff: [],
    });
    const sectors = rng.sample(d.sectors, Math.max(0, perDistrict - 1));
    for (let i = 0; i < perDistrict - 1; i++) {
      // more health centres than sectors: number the extra ones ("Kigarama II")
      const sector = sectors[i % sectors.length].name;
      const round2 = Math.floor(i / sectors.length);
      const name = `${sector}${round2 > 0 ? ' ' + 'I'.repeat(round2 + 1) : ''} Health Centre`;
      const code = `hc-${d.slug}-${String(i + 1).padStart(2, '0')}`;
      const pos = jitterPosition(rng, facts.lat, facts.long, 0.12);
      out.push({
        code,
        name,
        alias: [`${sector} HC`, `Ikigo nderabuzima cya ${sector}`],
        level: 'healthCentre',
        district: d,
        sector,
        lat: pos.lat,
        long: pos.long,
        roleCode: ROLE_CODES.PC,
        id: `rw-fac-${code}`,
        parentCode: dhCode,
        phone: rwandanMobile(rng),
        staff: [],
      });
    }
  }
  return out;
}

function facilityAddress(f: Facility) {
  const address: Record<string, unknown> = { use: 'work', type: 'physical' };
  if (f.sector) {
    address.line = [`${f.sector} Sector`];
    address.extension = [{ url: SYSTEMS.addressSectorExt, valueString: f.sector }];
  }
  Object.assign(address, { district: f.district.name, state: f.district.province.name, country: 'RW' });
  return address;
}

/**
 * Bundle 2: an Organization and a Location per facility; then the digital clinics, built as the facility
 * registry's import builds them (Organization, virtual Location, HealthcareService over the hospitals served).
 */
export function buildFacilityBundle(facilities: Facility[], uuids: Rng, refs: ReferenceResolver, clinics: DigitalClinic[] = []): FhirTransactionBundle {
  refs.reset();
  const b = new BundleBuilder();
  const byCode = new Map(facilities.map((f) => [f.code, f]));
  // parents first, so that same-bundle partOf references resolve to their fullUrl
  const ordered = [...facilities].sort((x, y) => Number(x.parentCode !== undefined) - Number(y.parentCode !== undefined));
  for (const f of ordered) {
    const level = FACILITY_LEVELS[f.level];
    const identifier = [{ use: 'official', system: SYSTEMS.facility, value: f.code }];
    const parent = f.parentCode ? byCode.get(f.parentCode) : undefined;
    put(b, refs, uuids, {
      resourceType: 'Organization',
      id: f.id,
      identifier,
      active: true,
      type: [concept(SYSTEMS.organizationType, 'prov', 'Healthcare Provider'), concept(SYSTEMS.facilityLevel, level.code, level.display)],
      name: f.name,
      alias: f.alias,
      telecom: [{ system: 'phone', value: f.phone, use: 'work' }],
      address: [facilityAddress(f)],
      partOf: parent ? refs.to(`Organization/${parent.id}`, parent.name) : refs.to(`Organization/${MOH_ORGANIZATION_ID}`, 'Ministry of Health'),
    });
  }
  for (const f of ordered) {
    const level = FACILITY_LEVELS[f.level];
    put(b, refs, uuids, {
      resourceType: 'Location',
      id: f.id,
      identifier: [{ use: 'official', system: SYSTEMS.facility, value: f.code }],
      status: 'active',
      name: f.name,
      alias: f.alias,
      mode: 'instance',
      type: [
        { coding: [coding(SYSTEMS.v3RoleCode, f.roleCode.code, f.roleCode.display)] },
        concept(SYSTEMS.facilityLevel, level.code, level.display),
      ],
      telecom: [{ system: 'phone', value: f.phone, use: 'work' }],
      address: facilityAddress(f),
      physicalType: BUILDING,
      position: { latitude: f.lat, longitude: f.long },
      managingOrganization: refs.to(`Organization/${f.id}`, f.name),
      partOf: refs.to(`Location/${f.district.locationId}`, f.district.name),
    });
  }
  for (const clinic of clinics) digitalClinicEntries(clinic, refs, (resource) => put(b, refs, uuids, resource));
  return b.build('demo-02-facilities');
}

// ---- workforce -------------------------------------------------------------------------------

export type Cadre = 'specialist' | 'doctor' | 'nurse' | 'midwife';

/** Where a staff member holds a role: a facility, or a digital clinic. */
export interface StaffPlace {
  id: string;
  name: string;
  code: string;
}

export interface StaffMember {
  practitionerId: string;
  roleId: string;
  name: PersonName;
  sex: Sex;
  cadre: Cadre;
  specialty?: { code: string; display: string };
  facility: StaffPlace;
  /** Further facilities with a role each (a digital clinic's specialists at the hospitals it serves). */
  alsoAt?: StaffPlace[];
  licence: string;
  phone: string;
  birthYear: number;
  graduationYear: number;
}

export const SPECIALTIES = [
  { code: '419192003', display: 'Internal medicine' },
  { code: '394537008', display: 'Pediatric specialty' },
  { code: '394585009', display: 'Obstetrics and gynecology' },
  { code: '394609007', display: 'General surgery' },
  { code: '394579002', display: 'Cardiology' },
] as const;

const STAFFING: Record<FacilityLevel, Cadre[]> = {
  referral: ['specialist', 'specialist', 'specialist', 'doctor', 'nurse', 'nurse', 'midwife'],
  district: ['doctor', 'doctor', 'nurse', 'nurse', 'midwife'],
  healthCentre: ['nurse', 'nurse'],
};

const LICENCE_PREFIX: Record<Cadre, string> = { specialist: 'MD', doctor: 'MD', nurse: 'RN', midwife: 'RM' };

/** Plans staff for every facility (stored in `facility.staff`) and returns them all. */
export function planWorkforce(facilities: Facility[], rng: Rng): StaffMember[] {
  const all: StaffMember[] = [];
  const licences = new Set<string>();
  for (const f of facilities) {
    const cadres = [...STAFFING[f.level]];
    if (f.level === 'healthCentre') {
      if (rng.chance(0.5)) cadres.push('nurse');
      if (rng.chance(0.6)) cadres.push('midwife');
    }
    const specialties = rng.sample(SPECIALTIES, 3);
    let specialistIndex = 0;
    cadres.forEach((cadre, i) => {
      const sex: Sex = cadre === 'midwife' ? (rng.chance(0.9) ? 'female' : 'male') : rng.chance(cadre === 'nurse' ? 0.7 : 0.4) ? 'female' : 'male';
      const birthYear = cadre === 'specialist' ? rng.int(1962, 1988) : cadre === 'doctor' ? rng.int(1965, 1996) : rng.int(1965, 2000);
      let licence: string;
      do licence = `${LICENCE_PREFIX[cadre]}-${rng.digits(5)}`;
      while (licences.has(licence));
      licences.add(licence);
      const member: StaffMember = {
        practitionerId: `rw-pr-${f.code}-${i + 1}`,
        roleId: `rw-prrole-${f.code}-${i + 1}`,
        name: rwandanName(rng, sex, birthYear),
        sex,
        cadre,
        facility: f,
        licence,
        phone: rwandanMobile(rng),
        birthYear,
        graduationYear: birthYear + (cadre === 'nurse' || cadre === 'midwife' ? rng.int(21, 24) : rng.int(24, 27)) + (cadre === 'specialist' ? 5 : 0),
      };
      if (cadre === 'specialist') member.specialty = specialties[specialistIndex++ % specialties.length];
      f.staff.push(member);
      all.push(member);
    });
  }
  return all;
}

const COUNCIL: Record<Cadre, string> = {
  specialist: 'Rwanda Medical and Dental Council',
  doctor: 'Rwanda Medical and Dental Council',
  nurse: 'National Council of Nurses and Midwives',
  midwife: 'National Council of Nurses and Midwives',
};

function qualification(s: StaffMember) {
  const graduated = String(s.graduationYear);
  switch (s.cadre) {
    case 'specialist':
    case 'doctor':
      return {
        code: { coding: [coding(SYSTEMS.v2Degree, 'MD', 'Doctor of Medicine')], text: 'Bachelor of Medicine and Bachelor of Surgery (MBBS)' },
        period: { start: graduated },
        issuer: { display: 'University of Rwanda' },
      };
    case 'nurse':
      return {
        code: { coding: [coding(SYSTEMS.v2Degree, 'RN', 'Registered Nurse')], text: 'Advanced Diploma in General Nursing (A1)' },
        period: { start: graduated },
        issuer: { display: 'University of Rwanda' },
      };
    case 'midwife':
      return {
        code: { text: 'Advanced Diploma in Midwifery (A1)' },
        period: { start: graduated },
        issuer: { display: 'University of Rwanda' },
      };
  }
}

export function displayName(name: PersonName, prefix?: string): string {
  return [prefix, ...name.given, name.family].filter(Boolean).join(' ');
}

/** The Huza cadre code system is the planning code; the HL7/SNOMED role stays for systems that only know those. */
const CADRE_SYSTEM = 'https://huza.rw/fhir/CodeSystem/health-worker-cadre';

function roleCode(s: StaffMember) {
  switch (s.cadre) {
    case 'specialist':
      return { coding: [coding(CADRE_SYSTEM, 'specialist-doctor', 'Specialist doctor'), coding(SYSTEMS.practitionerRole, 'doctor', 'Doctor')], text: 'Medical specialist' };
    case 'doctor':
      return { coding: [coding(CADRE_SYSTEM, 'general-practitioner', 'General practitioner'), coding(SYSTEMS.practitionerRole, 'doctor', 'Doctor')], text: 'General practitioner' };
    case 'nurse':
      // The qualification generated for nurses and midwives is the A1 advanced diploma.
      return { coding: [coding(CADRE_SYSTEM, 'nurse-a1', 'Nurse (A1)'), coding(SYSTEMS.practitionerRole, 'nurse', 'Nurse')], text: 'Nurse' };
    case 'midwife':
      return { coding: [coding(CADRE_SYSTEM, 'midwife-a1', 'Midwife (A1)'), coding(SYSTEMS.snomed, '309453006', 'Registered midwife')], text: 'Midwife' };
  }
}

/** Bundle 3: a Practitioner and a PractitionerRole per staff member. */
export function buildWorkforceBundle(staff: StaffMember[], uuids: Rng, refs: ReferenceResolver): FhirTransactionBundle {
  refs.reset();
  const b = new BundleBuilder();
  for (const s of staff) {
    const isDoctor = s.cadre === 'doctor' || s.cadre === 'specialist';
    put(b, refs, uuids, {
      resourceType: 'Practitioner',
      id: s.practitionerId,
      identifier: [
        {
          use: 'official',
          type: isDoctor
            ? concept(SYSTEMS.v2IdentifierType, 'MD', 'Medical License number')
            : concept(SYSTEMS.v2IdentifierType, 'RN', 'Registered Nurse Number'),
          system: SYSTEMS.practitionerLicence,
          value: s.licence,
          assigner: { display: COUNCIL[s.cadre] },
        },
      ],
      active: true,
      name: [
        {
          use: 'official',
          text: `${s.name.family.toUpperCase()} ${s.name.given.join(' ')}`,
          family: s.name.family,
          given: s.name.given,
          ...(isDoctor ? { prefix: ['Dr.'] } : {}),
        },
      ],
      telecom: [{ system: 'phone', value: s.phone, use: 'mobile' }],
      gender: s.sex,
      birthDate: String(s.birthYear),
      qualification: [qualification(s)],
      communication: [concept(SYSTEMS.bcp47, 'rw', 'Kinyarwanda'), concept(SYSTEMS.bcp47, 'en', 'English')],
    });
  }
  for (const s of staff) {
    // One role per facility (mCSD): a digital clinic's specialist holds one at the clinic and one at each hospital served.
    for (const [i, place] of [s.facility, ...(s.alsoAt ?? [])].entries()) {
      const role: FhirResource = {
        resourceType: 'PractitionerRole',
        id: i === 0 ? s.roleId : `${s.roleId}-${place.code}`,
        active: true,
        practitioner: refs.to(`Practitioner/${s.practitionerId}`, displayName(s.name, s.cadre === 'nurse' || s.cadre === 'midwife' ? undefined : 'Dr.')),
        organization: refs.to(`Organization/${place.id}`, place.name),
        code: [roleCode(s)],
        location: [refs.to(`Location/${place.id}`, place.name)],
        telecom: [{ system: 'phone', value: s.phone, use: 'work' }],
        // Facility opening hours, not personal rosters (those belong to clinic scheduling).
        availableTime: [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '07:00:00', availableEndTime: '17:00:00' }],
      };
      if (s.specialty) role.specialty = [concept(SYSTEMS.snomed, s.specialty.code, s.specialty.display)];
      put(b, refs, uuids, role);
    }
  }
  return b.build('demo-03-workforce');
}
