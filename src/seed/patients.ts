/**
 * Patients and their clinical records: Encounters with vital-sign Observations, Conditions,
 * MedicationRequests, and childhood Immunizations. Everything in one bundle is created with POST
 * and referenced by urn:uuid; facilities and practitioners are referenced by their stable ids.
 */
import { MALARIA_FACTOR_BY_PROVINCE, REFUGEE_HOSTING_DISTRICTS } from './data/rwanda.ts';
import { ageInYears, DAY_MS, fhirDate, fhirDateTime, localYear, startOfLocalDay, YEAR_DAYS } from './dates.ts';
import {
  BundleBuilder,
  concept,
  coding,
  quantity,
  ref,
  SYSTEMS,
  type CodeableConcept,
  type FhirResource,
  type FhirTransactionBundle,
  type Identifier,
  type Reference,
} from './fhir.ts';
import type { District, Geography } from './geography.ts';
import { rwandanName, type PersonName, type Sex } from './names.ts';
import type { Rng } from './prng.ts';
import { displayName, MOH_ORGANIZATION_ID, rwandanMobile, round, type Facility, type StaffMember } from './reference-data.ts';
import {
  BOPV_SWITCH_DATE,
  CONDITIONS,
  EPI_SCHEDULE,
  MEDICINES,
  VACCINES,
  VITALS,
  type ConditionKey,
  type MedicineKey,
  type VitalSign,
} from './terminology.ts';
import { makeNationalId, type NationalIdStatus } from '../registry/client/national-id.ts';

export interface PatientContext {
  geo: Geography;
  /** Per district slug: its district hospital first, then its health centres. */
  facilitiesByDistrict: Map<string, Facility[]>;
  referralHospitals: Facility[];
  asOfMs: number;
  rng: Rng;
  uuids: Rng;
  usedNidSequences: Set<string>;
  usedCbhiHouseholds: Set<string>;
}

/** What the generator remembers about a patient while building its bundle (used for families). */
interface PatientRecord {
  fullUrl: string;
  sex: Sex;
  birthMs: number;
  name: PersonName;
  district: District;
  home: Facility;
  address: Record<string, unknown>;
  phone?: string;
  cbhiHousehold?: string;
  cbhiMembers: number;
}

const YEAR_MS = YEAR_DAYS * DAY_MS;

/** Age brackets in years with their weights (Rwanda's population is young). */
const AGE_BRACKETS: (readonly [readonly [number, number], number])[] = [
  [[0.02, 1], 5],
  [[1, 5], 10],
  [[5, 15], 22],
  [[15, 25], 18],
  [[25, 50], 30],
  [[50, 65], 9],
  [[65, 92], 6],
];

export function buildPatientBundle(ctx: PatientContext, bundleIndex: number, patientCount: number): FhirTransactionBundle {
  const b = new BundleBuilder();
  const inBundle: PatientRecord[] = [];
  for (let i = 0; i < patientCount; i++) inBundle.push(generatePatient(ctx, b, inBundle));
  return b.build(`demo-${String(bundleIndex).padStart(2, '0')}-patients`);
}

function newFullUrl(ctx: PatientContext): string {
  return `urn:uuid:${ctx.uuids.uuid()}`;
}

function facilityRef(f: Facility, type: 'Organization' | 'Location'): Reference {
  return ref(`${type}/${f.id}`, f.name);
}

function practitionerRef(s: StaffMember): Reference {
  return ref(`Practitioner/${s.practitionerId}`, displayName(s.name, s.cadre === 'doctor' || s.cadre === 'specialist' ? 'Dr.' : undefined));
}

// ---- the patient -------------------------------------------------------------------------------

function generatePatient(ctx: PatientContext, b: BundleBuilder, inBundle: PatientRecord[]): PatientRecord {
  const { rng, asOfMs } = ctx;
  const sex: Sex = rng.chance(0.51) ? 'female' : 'male';
  const [lo, hi] = rng.weighted(AGE_BRACKETS);
  const birthMs = Math.floor(asOfMs - rng.real(lo, hi) * YEAR_MS);
  const age = ageInYears(birthMs, asOfMs);
  const birthYear = localYear(birthMs);

  // children are sometimes registered together with their mother
  let mother: PatientRecord | undefined;
  if (age < 15 && rng.chance(0.5)) {
    const candidates = inBundle.filter((p) => {
      if (p.sex !== 'female') return false;
      const ageAtBirth = (birthMs - p.birthMs) / YEAR_MS;
      return ageAtBirth >= 17 && ageAtBirth <= 44;
    });
    if (candidates.length > 0) mother = rng.pick(candidates);
  }

  const district = mother?.district ?? pickDistrict(ctx);
  const facilities = ctx.facilitiesByDistrict.get(district.slug)!;
  const healthCentres = facilities.filter((f) => f.level === 'healthCentre');
  const home = mother?.home ?? (healthCentres.length > 0 ? rng.pick(healthCentres) : facilities[0]);
  const address = mother?.address ?? makeAddress(rng, district, home);
  const avoid = mother ? [mother.name.family, ...mother.name.given] : [];
  const name = rwandanName(rng, sex, birthYear, avoid);
  const fullUrl = newFullUrl(ctx);

  const identifier: Identifier[] = [];
  if (age >= 16) identifier.push(...nationalIds(ctx, district, sex, birthYear, asOfMs));

  // Community-based health insurance (Mutuelle de santé) is per household.
  let cbhiHousehold: string | undefined;
  let cbhiMember = 0;
  if (mother?.cbhiHousehold) {
    cbhiHousehold = mother.cbhiHousehold;
    cbhiMember = ++mother.cbhiMembers;
  } else if (rng.chance(0.88)) {
    do cbhiHousehold = rng.digits(10);
    while (ctx.usedCbhiHouseholds.has(cbhiHousehold));
    ctx.usedCbhiHouseholds.add(cbhiHousehold);
    cbhiMember = 1;
  }
  if (cbhiHousehold) {
    identifier.push({
      use: 'secondary',
      type: concept(SYSTEMS.v2IdentifierType, 'MB', 'Member Number'),
      system: SYSTEMS.cbhi,
      value: `${cbhiHousehold}-${String(cbhiMember).padStart(2, '0')}`,
      assigner: { display: 'Rwanda Social Security Board (CBHI)' },
    });
  }

  const phone = age >= 18 ? (rng.chance(0.85) ? rwandanMobile(rng) : undefined) : age >= 16 && rng.chance(0.4) ? rwandanMobile(rng) : undefined;
  const yearOnly = rng.chance(age >= 50 ? 0.3 : age >= 25 ? 0.05 : 0);
  const gp = pickStaff(rng, home, ['nurse', 'doctor', 'midwife', 'specialist']);

  const patient: FhirResource = {
    resourceType: 'Patient',
    identifier,
    active: true,
    name: [{ use: 'official', text: `${name.family.toUpperCase()} ${name.given.join(' ')}`, family: name.family, given: name.given }],
  };
  if (phone) patient.telecom = [{ system: 'phone', value: phone, use: 'mobile' }];
  patient.gender = sex;
  patient.birthDate = yearOnly ? String(birthYear) : fhirDate(birthMs);
  patient.address = [address];
  if (age >= 18) patient.maritalStatus = maritalStatus(rng, age);
  if (mother) {
    patient.contact = [
      {
        relationship: [concept(SYSTEMS.v2ContactRole, 'N', 'Next-of-Kin'), concept(SYSTEMS.v3RoleCode, 'MTH', 'mother')],
        name: { use: 'official', text: `${mother.name.family.toUpperCase()} ${mother.name.given.join(' ')}`, family: mother.name.family, given: mother.name.given },
        ...(mother.phone ? { telecom: [{ system: 'phone', value: mother.phone, use: 'mobile' }] } : {}),
        gender: 'female',
      },
    ];
  }
  patient.communication = [{ language: concept(SYSTEMS.bcp47, 'rw', 'Kinyarwanda', 'Kinyarwanda'), preferred: true }];
  patient.generalPractitioner = [practitionerRef(gp)];
  patient.managingOrganization = facilityRef(home, 'Organization');
  b.post(patient, fullUrl);

  const record: PatientRecord = { fullUrl, sex, birthMs, name, district, home, address, phone, cbhiHousehold, cbhiMembers: cbhiMember };
  generateClinicalHistory(ctx, b, record, age);
  if (age < 15) generateImmunizations(ctx, b, record);
  return record;
}

function pickDistrict(ctx: PatientContext): District {
  return ctx.rng.weighted(ctx.geo.districts.map((d) => [d, d.facts.population] as const));
}

function makeAddress(rng: Rng, district: District, home: Facility): Record<string, unknown> {
  const sector = (home.sector && rng.chance(0.7) ? district.sectors.find((s) => s.name === home.sector) : undefined) ?? rng.pick(district.sectors);
  const cell = rng.pick(sector.cells);
  const village = rng.pick(cell.villages);
  return {
    extension: [
      { url: SYSTEMS.addressSectorExt, valueString: sector.name },
      { url: SYSTEMS.addressCellExt, valueString: cell.name },
      { url: SYSTEMS.addressVillageExt, valueString: village },
    ],
    use: 'home',
    type: 'physical',
    text: `${village} Village, ${cell.name} Cell, ${sector.name} Sector, ${district.name} District, ${district.province.name}, Rwanda`,
    line: [`${village} Village`, `${cell.name} Cell`, `${sector.name} Sector`],
    district: district.name,
    state: district.province.name,
    country: 'RW',
  };
}

function nationalIds(ctx: PatientContext, district: District, sex: Sex, birthYear: number, asOfMs: number): Identifier[] {
  const { rng } = ctx;
  const refugeeShare = REFUGEE_HOSTING_DISTRICTS.has(district.name) ? 0.12 : 0.003;
  const foreignerShare = district.province.name === 'Kigali City' ? 0.015 : 0.003;
  const x = rng.float();
  const status: NationalIdStatus = x < refugeeShare ? 'refugee' : x < refugeeShare + foreignerShare ? 'foreigner' : 'citizen';
  let sequence: number;
  let key: string;
  do {
    sequence = rng.int(0, 9_999_999);
    key = `${status}|${birthYear}|${sex}|${sequence}`;
  } while (ctx.usedNidSequences.has(key));
  ctx.usedNidSequences.add(key);
  // some people have replaced their card: the current ID has a higher issue count, the old one is kept
  const issue = rng.weighted([[0, 88], [1, 10], [2, 2]] as const);
  const type = concept(SYSTEMS.v2IdentifierType, 'NI', 'National unique individual identifier');
  const assigner = { display: 'National Identification Agency (NIDA)' };
  const ids: Identifier[] = [{ use: 'official', type, system: SYSTEMS.nationalId, value: makeNationalId({ status, birthYear, sex, sequence, issue }), assigner }];
  if (issue > 0) {
    const replaced = fhirDate(asOfMs - rng.int(30, 2000) * DAY_MS);
    ids.push({ use: 'old', type, system: SYSTEMS.nationalId, value: makeNationalId({ status, birthYear, sex, sequence, issue: issue - 1 }), period: { end: replaced }, assigner });
  }
  return ids;
}

function maritalStatus(rng: Rng, age: number): CodeableConcept {
  const m = rng.weighted([
    ['S', age < 25 ? 80 : age < 35 ? 30 : 8],
    ['M', age < 25 ? 20 : 70],
    ['W', age >= 50 ? 18 : 2],
    ['D', 4],
  ] as const);
  const display = { S: 'Never Married', M: 'Married', W: 'Widowed', D: 'Divorced' }[m];
  return concept(SYSTEMS.v3MaritalStatus, m, display);
}

function pickStaff(rng: Rng, f: Facility, cadres: StaffMember['cadre'][]): StaffMember {
  const matching = f.staff.filter((s) => cadres.includes(s.cadre));
  return rng.pick(matching.length > 0 ? matching : f.staff);
}

// ---- clinical history --------------------------------------------------------------------------

type VisitKind = 'diagnose-chronic' | 'follow-up' | 'acute' | 'check-up' | 'tuberculosis';

interface Body {
  /** Personal factors, so that repeated measurements of one person agree. */
  weightFactor: number;
  heightFactor: number;
  bmi: number;
  bpOffset: number;
}

function generateClinicalHistory(ctx: PatientContext, b: BundleBuilder, p: PatientRecord, age: number): void {
  const { rng, asOfMs } = ctx;

  // prevalence among people who use health facilities, a little above the population's
  const chronic: ConditionKey[] = [];
  if (age >= 35 && rng.chance(0.12 + (age - 35) * 0.008)) chronic.push('hypertension');
  if (age >= 35 && rng.chance(0.05)) chronic.push('diabetes');
  const hiv = age >= 15 && age < 65 && rng.chance(p.sex === 'female' ? 0.045 : 0.03);
  if (hiv) chronic.push('hiv');
  const tuberculosis = age >= 15 && rng.chance(hiv ? 0.06 : 0.006);

  let visits: number = rng.weighted([[1, 35], [2, 30], [3, 20], [4, 15]] as const);
  if (chronic.length > 0) visits = Math.max(visits, 2);
  const kinds: VisitKind[] = [];
  for (let i = 0; i < visits; i++) {
    if (i === 0 && chronic.length > 0) kinds.push('diagnose-chronic');
    else if (chronic.length > 0) kinds.push(rng.weighted([['follow-up', 60], ['acute', 30], ['check-up', 10]] as const));
    else kinds.push(rng.weighted([['acute', 70], ['check-up', 30]] as const));
  }
  if (tuberculosis) kinds[chronic.length > 0 && kinds.length > 1 ? rng.int(1, kinds.length - 1) : 0] = 'tuberculosis';

  // visit days in the last three years (never before birth), in order
  const windowStart = Math.max(p.birthMs + DAY_MS, asOfMs - 3 * YEAR_MS);
  const windowEnd = asOfMs - DAY_MS;
  const starts = kinds
    .map(() => {
      const day = startOfLocalDay(rng.real(windowStart, windowEnd));
      let t = day + (7.5 * 60 + rng.int(0, 8 * 60)) * 60_000; // 07:30–15:30
      if (t <= p.birthMs) t += DAY_MS;
      return t;
    })
    .sort((x, y) => x - y);

  const body: Body = {
    weightFactor: Math.min(1.3, Math.max(0.75, rng.normal(1, 0.1))),
    heightFactor: Math.min(1.08, Math.max(0.92, rng.normal(p.birthMs > asOfMs - 5 * YEAR_MS ? 0.98 : 1, 0.03))),
    bmi: Math.min(36, Math.max(17.5, rng.normal(p.sex === 'female' ? 23.5 : 22, 2.8))),
    bpOffset: rng.normal(0, 6),
  };

  const chronicConditions = new Map<ConditionKey, string>();
  const chronicPrescriptions: { med: MedicineKey; resource: FhirResource }[] = [];
  let heightMeasured = false;

  kinds.forEach((kind, i) => {
    const start = starts[i];
    const ageAtVisit = (start - p.birthMs) / YEAR_MS;

    let acute: ConditionKey | undefined;
    if (kind === 'acute') acute = pickAcuteCondition(rng, ageAtVisit, p.district);
    if (kind === 'tuberculosis') acute = 'tuberculosis';

    const inpatient =
      (acute === 'pneumonia' && (ageAtVisit < 5 || ageAtVisit >= 65) && rng.chance(0.4)) ||
      (acute === 'malaria' && rng.chance(0.08)) ||
      (acute === 'tuberculosis' && rng.chance(0.3));

    const facility = chooseFacility(ctx, p, inpatient, kind);
    const clinician = inpatient
      ? pickStaff(rng, facility, ['doctor', 'specialist'])
      : pickStaff(rng, facility, facility.level === 'healthCentre' ? ['nurse', 'midwife'] : ['doctor', 'nurse', 'specialist']);

    let end = inpatient ? start + rng.int(2, 7) * DAY_MS + rng.int(0, 6) * 3_600_000 : start + rng.int(20, 120) * 60_000;
    const ongoing = end >= asOfMs;
    if (ongoing) end = NaN;

    const encounterUrl = newFullUrl(ctx);
    const encounterRef = ref(encounterUrl);
    const patientRef = ref(p.fullUrl, displayName(p.name));
    const clinicianRef = practitionerRef(clinician);
    const encounter: FhirResource = {
      resourceType: 'Encounter',
      status: ongoing ? 'in-progress' : 'finished',
      class: inpatient ? coding(SYSTEMS.v3ActCode, 'IMP', 'inpatient encounter') : coding(SYSTEMS.v3ActCode, 'AMB', 'ambulatory'),
      type: [encounterType(kind, inpatient, ageAtVisit)],
      subject: patientRef,
      participant: [{ type: [concept(SYSTEMS.v3ParticipationType, 'PPRF', 'primary performer')], individual: clinicianRef }],
      period: ongoing ? { start: fhirDateTime(start) } : { start: fhirDateTime(start), end: fhirDateTime(end) },
    };
    b.post(encounter, encounterUrl);

    // vital signs, taken at triage
    const measuredAt = start + rng.int(3, 15) * 60_000;
    const fever = acute === 'malaria' || acute === 'pneumonia' || (acute === 'urti' && rng.chance(0.3)) || (acute === 'tuberculosis' && rng.chance(0.5));
    const obs = { ctx, b, patientRef, encounterRef, performer: clinicianRef, at: fhirDateTime(measuredAt) };
    const height = expectedHeight(ageAtVisit, p.sex) * body.heightFactor;
    const weight = ageAtVisit < 18 ? expectedWeight(ageAtVisit, p.sex) * body.weightFactor : body.bmi * (height / 100) ** 2 * (acute === 'tuberculosis' ? 0.9 : 1);
    addVital(obs, VITALS.weight, round(weight, 1));
    if (ageAtVisit < 18 || !heightMeasured) {
      addVital(obs, VITALS.height, round(height, 1));
      heightMeasured = true;
    }
    const temperature = fever ? Math.min(40.6, Math.max(37.8, rng.normal(38.7, 0.6))) : Math.min(37.4, Math.max(36.0, rng.normal(36.7, 0.3)));
    addVital(obs, VITALS.temperature, round(temperature, 1));
    addVital(obs, VITALS.heartRate, Math.round(restingHeartRate(rng, ageAtVisit) + Math.max(0, temperature - 37) * 10));
    if (ageAtVisit >= 18) {
      const hypertensive = chronicConditions.has('hypertension') || (kind === 'diagnose-chronic' && chronic.includes('hypertension'));
      const treated = chronicConditions.has('hypertension');
      const [sys, dia] = bloodPressure(rng, ageAtVisit, hypertensive, treated, body.bpOffset);
      addBloodPressure(obs, sys, dia);
    }

    // diagnoses
    const diagnosed: { key: ConditionKey; url: string }[] = [];
    const newConditions = kind === 'diagnose-chronic' ? chronic : acute ? [acute] : [];
    for (const key of newConditions) {
      const url = addCondition(ctx, b, key, patientRef, encounterRef, clinicianRef, start, ongoing ? Infinity : end);
      diagnosed.push({ key, url });
      if (CONDITIONS[key].chronic) chronicConditions.set(key, url);
    }
    if (diagnosed.length > 0) {
      encounter.diagnosis = diagnosed.map((d, rank) => ({
        condition: ref(d.url, CONDITIONS[d.key].text),
        ...(inpatient ? { use: concept(SYSTEMS.diagnosisRole, 'DD', 'Discharge diagnosis') } : {}),
        rank: rank + 1,
      }));
    }
    if (kind === 'follow-up') encounter.reasonReference = [...chronicConditions].map(([key, url]) => ref(url, CONDITIONS[key].text));
    if (kind === 'check-up' && ageAtVisit < 5) encounter.reasonCode = [{ text: 'Growth monitoring' }];
    if (inpatient && !ongoing) encounter.hospitalization = { dischargeDisposition: concept(SYSTEMS.dischargeDisposition, 'home', 'Home') };
    encounter.location = [{ location: facilityRef(facility, 'Location'), status: ongoing ? 'active' : 'completed' }];
    encounter.serviceProvider = facilityRef(facility, 'Organization');

    // prescriptions
    const rx = { ctx, b, patientRef, encounterRef, requester: clinicianRef, authoredOn: start + rng.int(10, 40) * 60_000, inpatient };
    for (const d of diagnosed) {
      for (const dose of dosesFor(d.key, ageAtVisit, weight)) {
        const resource = addMedicationRequest(rx, dose, ref(d.url, CONDITIONS[d.key].text));
        if (CONDITIONS[d.key].chronic) chronicPrescriptions.push({ med: dose.med, resource });
      }
    }
    if (kind === 'follow-up') {
      for (const [key, url] of chronicConditions) {
        for (const dose of dosesFor(key, ageAtVisit, weight)) {
          chronicPrescriptions.push({ med: dose.med, resource: addMedicationRequest(rx, dose, ref(url, CONDITIONS[key].text)) });
        }
      }
    }
  });

  // only the latest prescription of each long-term medicine is still active
  const latest = new Map<MedicineKey, FhirResource>();
  for (const { med, resource } of chronicPrescriptions) latest.set(med, resource);
  for (const { resource } of chronicPrescriptions) resource.status = [...latest.values()].includes(resource) ? 'active' : 'completed';
}

function pickAcuteCondition(rng: Rng, age: number, district: District): ConditionKey {
  const malaria = 3 * (MALARIA_FACTOR_BY_PROVINCE[district.province.name] ?? 1);
  const pneumonia = age < 5 ? 2 : age >= 65 ? 1.5 : 0.6;
  return rng.weighted([['malaria', malaria], ['urti', 3], ['pneumonia', pneumonia]] as const);
}

function chooseFacility(ctx: PatientContext, p: PatientRecord, inpatient: boolean, kind: VisitKind): Facility {
  const { rng } = ctx;
  const districtHospital = ctx.facilitiesByDistrict.get(p.district.slug)![0];
  if (inpatient || kind === 'tuberculosis') {
    if (inpatient && rng.chance(0.15)) {
      // referred up: CHUB serves the south, the Kigali hospitals everyone else
      const chub = ctx.referralHospitals.find((f) => f.code === 'rh-chub');
      if (p.district.province.name === 'Southern Province' && chub) return chub;
      return rng.pick(ctx.referralHospitals.filter((f) => f.code !== 'rh-chub'));
    }
    return districtHospital;
  }
  return rng.chance(0.85) ? p.home : districtHospital;
}

function encounterType(kind: VisitKind, inpatient: boolean, age: number): CodeableConcept {
  if (inpatient) return concept(SYSTEMS.snomed, '32485007', 'Hospital admission');
  switch (kind) {
    case 'follow-up':
      return concept(SYSTEMS.snomed, '390906007', 'Follow-up encounter');
    case 'check-up':
      return age < 5 ? concept(SYSTEMS.snomed, '410620009', 'Well child visit') : concept(SYSTEMS.snomed, '185349003', 'Encounter for check up');
    default:
      return concept(SYSTEMS.snomed, '11429006', 'Consultation');
  }
}

// ---- vital signs -------------------------------------------------------------------------------

function interpolate(points: readonly (readonly [number, number])[], x: number): number {
  if (x <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i];
    if (x <= x1) {
      const [x0, y0] = points[i - 1];
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return points[points.length - 1][1];
}

/** Median weight (kg) by age (years), roughly the WHO growth standards. */
function expectedWeight(age: number, sex: Sex): number {
  const m = sex === 'male' ? 1.03 : 1;
  return m * interpolate([[0, 3.3], [0.25, 6], [0.5, 7.6], [1, 9.3], [2, 11.8], [3, 13.9], [5, 17.8], [8, 25], [10, 31], [12, 39], [15, 50], [18, 55]], age);
}

/** Median height (cm) by age (years). */
function expectedHeight(age: number, sex: Sex): number {
  const adult = sex === 'male' ? 168 : 158;
  return interpolate([[0, 50], [0.25, 61], [0.5, 67], [1, 75], [2, 86], [3, 95], [5, 108], [8, 126], [10, 137], [12, 148], [15, sex === 'male' ? 162 : 156], [18, adult]], age);
}

function restingHeartRate(rng: Rng, age: number): number {
  if (age < 1) return rng.normal(132, 10);
  if (age < 5) return rng.normal(110, 10);
  if (age < 12) return rng.normal(92, 9);
  return rng.normal(76, 9);
}

function bloodPressure(rng: Rng, age: number, hypertensive: boolean, treated: boolean, offset: number): [number, number] {
  const ageEffect = Math.max(0, age - 40) * 0.35;
  let sys: number;
  let dia: number;
  if (hypertensive && !treated) {
    sys = rng.normal(160, 12);
    dia = rng.normal(98, 7);
  } else if (hypertensive) {
    sys = rng.normal(140, 11);
    dia = rng.normal(88, 7);
  } else {
    sys = rng.normal(116, 9);
    dia = rng.normal(75, 7);
  }
  sys = Math.round(sys + ageEffect + offset);
  dia = Math.round(Math.min(dia + ageEffect / 3 + offset / 2, sys - 25));
  return [sys, dia];
}

interface ObservationContext {
  ctx: PatientContext;
  b: BundleBuilder;
  patientRef: Reference;
  encounterRef: Reference;
  performer: Reference;
  at: string;
}

const VITAL_SIGNS_CATEGORY = [concept(SYSTEMS.observationCategory, 'vital-signs', 'Vital Signs')];

function vitalCode(v: VitalSign): CodeableConcept {
  return concept(SYSTEMS.loinc, v.loinc, v.display, v.display);
}

function addVital(o: ObservationContext, v: VitalSign, value: number): void {
  o.b.post(
    {
      resourceType: 'Observation',
      meta: { profile: [v.profile!] },
      status: 'final',
      category: VITAL_SIGNS_CATEGORY,
      code: vitalCode(v),
      subject: o.patientRef,
      encounter: o.encounterRef,
      effectiveDateTime: o.at,
      performer: [o.performer],
      valueQuantity: quantity(value, v.ucum, v.unit),
    },
    newFullUrl(o.ctx),
  );
}

function addBloodPressure(o: ObservationContext, systolic: number, diastolic: number): void {
  o.b.post(
    {
      resourceType: 'Observation',
      meta: { profile: [VITALS.bpPanel.profile] },
      status: 'final',
      category: VITAL_SIGNS_CATEGORY,
      code: vitalCode(VITALS.bpPanel),
      subject: o.patientRef,
      encounter: o.encounterRef,
      effectiveDateTime: o.at,
      performer: [o.performer],
      component: [
        { code: vitalCode(VITALS.systolic), valueQuantity: quantity(systolic, VITALS.systolic.ucum, VITALS.systolic.unit) },
        { code: vitalCode(VITALS.diastolic), valueQuantity: quantity(diastolic, VITALS.diastolic.ucum, VITALS.diastolic.unit) },
      ],
    },
    newFullUrl(o.ctx),
  );
}

// ---- conditions --------------------------------------------------------------------------------

function addCondition(
  ctx: PatientContext,
  b: BundleBuilder,
  key: ConditionKey,
  patientRef: Reference,
  encounterRef: Reference,
  recorder: Reference,
  diagnosedAt: number,
  encounterEnd: number,
): string {
  const def = CONDITIONS[key];
  const { rng, asOfMs } = ctx;
  // acute illnesses resolve within two weeks (and not before discharge); tuberculosis after six months of treatment
  const lasts = key === 'tuberculosis' ? 182 * DAY_MS : Math.max(rng.int(5, 14) * DAY_MS, encounterEnd - diagnosedAt + 2 * DAY_MS);
  const onset = diagnosedAt - (def.chronic ? rng.int(0, 60) : key === 'tuberculosis' ? rng.int(14, 60) : rng.int(1, 4)) * DAY_MS;
  const resolved = !def.chronic && diagnosedAt + lasts < asOfMs;
  const condition: FhirResource = {
    resourceType: 'Condition',
    clinicalStatus: resolved
      ? concept(SYSTEMS.conditionClinical, 'resolved', 'Resolved')
      : concept(SYSTEMS.conditionClinical, 'active', 'Active'),
    verificationStatus: concept(SYSTEMS.conditionVerification, 'confirmed', 'Confirmed'),
    category: [
      def.chronic
        ? concept(SYSTEMS.conditionCategory, 'problem-list-item', 'Problem List Item')
        : concept(SYSTEMS.conditionCategory, 'encounter-diagnosis', 'Encounter Diagnosis'),
    ],
    code: concept(SYSTEMS.icd10, def.code, def.display, def.text),
    subject: patientRef,
    encounter: encounterRef,
    onsetDateTime: fhirDate(onset),
  };
  if (resolved) condition.abatementDateTime = fhirDate(diagnosedAt + lasts);
  condition.recordedDate = fhirDateTime(diagnosedAt);
  condition.recorder = recorder;
  condition.asserter = recorder;
  const url = newFullUrl(ctx);
  b.post(condition, url);
  return url;
}

// ---- medication requests -----------------------------------------------------------------------

interface Dose {
  med: MedicineKey;
  amount: number;
  form: 'tablet' | 'capsule' | 'mL';
  perDay: number;
  /** Treatment length; long-term treatments are dispensed for `supplyDays`. */
  days?: number;
  supplyDays?: number;
  asNeeded?: boolean;
  note?: string;
}

function byWeight<T>(weight: number, bands: readonly (readonly [number, T])[]): T {
  // bands: [minimum weight, value], ascending
  let out = bands[0][1];
  for (const [min, v] of bands) if (weight >= min) out = v;
  return out;
}

function paracetamol(age: number, weight: number): Dose {
  if (age >= 12) return { med: 'paracetamolTablet', amount: weight >= 40 ? 2 : 1, form: 'tablet', perDay: 3, days: 3, asNeeded: true };
  return { med: 'paracetamolSyrup', amount: byWeight(weight, [[0, 2.5], [6, 5], [10, 7.5], [15, 10], [20, 12.5]] as const), form: 'mL', perDay: 3, days: 3, asNeeded: true };
}

/** WHO/Rwanda treatment guidelines, simplified. */
function dosesFor(key: ConditionKey, age: number, weight: number): Dose[] {
  switch (key) {
    case 'malaria': {
      const out: Dose[] = [];
      if (weight >= 5) {
        const tablets = byWeight(weight, [[5, 1], [15, 2], [25, 3], [35, 4]] as const);
        out.push({ med: 'artemetherLumefantrine', amount: tablets, form: 'tablet', perDay: 2, days: 3, note: 'take with food or milk' });
      }
      out.push(paracetamol(age, weight));
      return out;
    }
    case 'pneumonia': {
      const amox: Dose =
        age < 5
          ? { med: 'amoxicillinDispersible', amount: byWeight(weight, [[0, 1], [10, 2], [14, 3]] as const), form: 'tablet', perDay: 2, days: 5 }
          : age < 12
            ? { med: 'amoxicillinDispersible', amount: 2, form: 'tablet', perDay: 3, days: 5 }
            : { med: 'amoxicillinCapsule', amount: 2, form: 'capsule', perDay: 3, days: 5 };
      return [amox, paracetamol(age, weight)];
    }
    case 'urti':
      return [paracetamol(age, weight)];
    case 'hypertension':
      return [{ med: 'amlodipine', amount: 1, form: 'tablet', perDay: 1, supplyDays: 30 }];
    case 'diabetes':
      return [{ med: 'metformin', amount: 1, form: 'tablet', perDay: 2, supplyDays: 30, note: 'take with meals' }];
    case 'hiv':
      return [
        { med: 'tld', amount: 1, form: 'tablet', perDay: 1, supplyDays: 30 },
        { med: 'cotrimoxazole', amount: 1, form: 'tablet', perDay: 1, supplyDays: 30 },
      ];
    case 'tuberculosis':
      return [{ med: 'rhze', amount: byWeight(weight, [[0, 2], [40, 3], [55, 4], [71, 5]] as const), form: 'tablet', perDay: 1, days: 56, note: 'intensive phase' }];
  }
}

const FREQUENCY_TEXT = ['', 'once daily', 'twice daily', 'three times daily', 'four times daily'];

function doseText(d: Dose): string {
  const amount = d.form === 'mL' ? `${d.amount} mL` : `${d.amount} ${d.form}${d.amount === 1 ? '' : 's'}`;
  const parts = [amount, FREQUENCY_TEXT[d.perDay]];
  if (d.asNeeded) parts.push('when needed');
  if (d.days) parts.push(`for ${d.days} days`);
  let text = parts.join(' ');
  if (d.note) text += ` (${d.note})`;
  return text;
}

function doseQuantity(d: Dose, amount: number) {
  switch (d.form) {
    case 'tablet':
      return { value: amount, unit: 'tablet', system: SYSTEMS.v3DrugForm, code: 'TAB' };
    case 'capsule':
      return { value: amount, unit: 'capsule', system: SYSTEMS.v3DrugForm, code: 'CAP' };
    case 'mL':
      return quantity(amount, 'mL');
  }
}

interface PrescriptionContext {
  ctx: PatientContext;
  b: BundleBuilder;
  patientRef: Reference;
  encounterRef: Reference;
  requester: Reference;
  authoredOn: number;
  inpatient: boolean;
}

function addMedicationRequest(rx: PrescriptionContext, d: Dose, reason: Reference): FhirResource {
  const med = MEDICINES[d.med];
  const days = d.days ?? d.supplyDays ?? 30;
  const finished = rx.authoredOn + days * DAY_MS < rx.ctx.asOfMs;
  const repeat: Record<string, unknown> = { frequency: d.perDay, period: 1, periodUnit: 'd' };
  if (d.days) repeat.boundsDuration = { value: d.days, unit: 'days', system: SYSTEMS.ucum, code: 'd' };
  const dosage: Record<string, unknown> = {
    sequence: 1,
    text: doseText(d),
    timing: { repeat },
  };
  if (d.asNeeded) dosage.asNeededBoolean = true;
  dosage.route = concept(SYSTEMS.snomed, '26643006', 'Oral route');
  dosage.doseAndRate = [{ doseQuantity: doseQuantity(d, d.amount) }];

  const resource: FhirResource = {
    resourceType: 'MedicationRequest',
    status: finished ? 'completed' : 'active',
    intent: 'order',
    category: [
      rx.inpatient
        ? concept(SYSTEMS.medicationRequestCategory, 'inpatient', 'Inpatient')
        : concept(SYSTEMS.medicationRequestCategory, 'outpatient', 'Outpatient'),
    ],
    medicationCodeableConcept: concept(SYSTEMS.essentialMedicines, med.code, med.display, med.display),
    subject: rx.patientRef,
    encounter: rx.encounterRef,
    authoredOn: fhirDateTime(rx.authoredOn),
    requester: rx.requester,
    reasonReference: [reason],
    dosageInstruction: [dosage],
    dispenseRequest: {
      quantity: doseQuantity(d, round(d.amount * d.perDay * days, 1)),
      expectedSupplyDuration: { value: days, unit: 'days', system: SYSTEMS.ucum, code: 'd' },
    },
  };
  rx.b.post(resource, newFullUrl(rx.ctx));
  return resource;
}

// ---- immunizations -----------------------------------------------------------------------------

function generateImmunizations(ctx: PatientContext, b: BundleBuilder, p: PatientRecord): void {
  const { rng, asOfMs } = ctx;
  const districtHospital = ctx.facilitiesByDistrict.get(p.district.slug)![0];
  const bornInHospital = rng.chance(0.9);
  const bopvSwitch = Date.parse(BOPV_SWITCH_DATE);
  const patientRef = ref(p.fullUrl, displayName(p.name));
  for (const dose of EPI_SCHEDULE) {
    if (dose.onlyFemale && p.sex !== 'female') continue;
    const due = p.birthMs + dose.ageDays * DAY_MS;
    if (due < Date.parse(dose.since)) continue;
    if (rng.chance(0.04)) continue; // missed
    const delayDays = dose.ageDays === 0 ? rng.int(0, 1) : rng.weighted([[rng.int(0, 3), 70], [rng.int(4, 14), 22], [rng.int(15, 60), 8]] as const);
    const day = startOfLocalDay(due + delayDays * DAY_MS);
    const at = Math.max(day + (8 * 60 + rng.int(0, 6 * 60)) * 60_000, p.birthMs + 30 * 60_000);
    if (at >= asOfMs) continue;

    const key = dose.vaccine === 'bopv' && at < bopvSwitch ? 'topv' : dose.vaccine;
    const vaccine = VACCINES[key];
    const facility = dose.ageDays === 0 && bornInHospital ? districtHospital : p.home;
    const vaccinator = pickStaff(rng, facility, ['nurse', 'midwife']);
    const immunization: FhirResource = {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: concept(SYSTEMS.cvx, vaccine.cvx, vaccine.display, vaccine.text),
      patient: patientRef,
      occurrenceDateTime: fhirDateTime(at),
      recorded: fhirDateTime(at + rng.int(5, 90) * 60_000),
      primarySource: true,
      location: facilityRef(facility, 'Location'),
      lotNumber: `${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}${rng.digits(5)}`,
      route: { coding: [vaccine.route] },
      performer: [{ function: concept(SYSTEMS.v2ParticipationFunction, 'AP', 'Administering Provider'), actor: practitionerRef(vaccinator) }],
      protocolApplied: [
        {
          series: 'Rwanda EPI routine schedule',
          authority: ref(`Organization/${MOH_ORGANIZATION_ID}`, 'Ministry of Health'),
          ...(dose.dose === 0 ? { doseNumberString: 'Birth dose' } : { doseNumberPositiveInt: dose.dose }),
        },
      ],
    };
    if (key !== 'bopv' && key !== 'topv' && key !== 'rota') immunization.doseQuantity = quantity(key === 'bcg' ? 0.05 : 0.5, 'mL');
    b.post(immunization, newFullUrl(ctx));
  }
}
