/**
 * A deterministic synthetic Rwandan dataset for benchmarks: patients and the clinical resources that
 * refer to them. Everything derives from (seed, kind, index), so the loader can write resources in any
 * order and any concurrency and still produce the same data, and references between them (Observation →
 * Encounter of the same visit) need no lookups.
 */
import { createHash } from 'node:crypto';

export const nationalIdSystem = 'https://moh.gov.rw/fhir/id/national-id';
/** Marks resources the benchmark itself writes (creates, transactions), so they can be cleaned up. */
export const benchWriteTag = { system: 'https://huza.rw/fhir/bench', code: 'bench-write' };

type Json = Record<string, unknown>;

/** Small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Zipf-like choice: the first items are the most common, as with real name frequencies. */
  pickSkewed<T>(items: readonly T[]): T {
    const u = this.next() ** 1.5;
    return items[Math.min(items.length - 1, Math.floor(items.length * u))];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
}

function hashSeed(...parts: (string | number)[]): number {
  return createHash('sha1').update(parts.join('\u0000')).digest().readUInt32LE(0);
}

/** A random-looking but deterministic RFC 4122 v4-format UUID. */
export function deterministicUuid(...parts: (string | number)[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// Kinyarwanda names: a Rwandan's family name is their own name, given at birth, not a parent's.
const kinyarwandaFemale = [
  'Uwimana', 'Ishimwe', 'Uwase', 'Mukamana', 'Niyonsaba', 'Umutoni', 'Ingabire', 'Uwera', 'Mukeshimana', 'Iradukunda',
  'Uwamahoro', 'Mukandayisenga', 'Nyiraneza', 'Kayitesi', 'Murekatete', 'Uwingabire', 'Umuhoza', 'Tuyisenge', 'Uwamariya',
  'Mutoni', 'Mukarugwiza', 'Nyirahabimana', 'Umurerwa', 'Keza', 'Dusabe', 'Akimana', 'Musabyimana', 'Uwizeye', 'Igiraneza',
  'Mukamusoni', 'Nyirabagenzi', 'Uwayezu', 'Kwizera', 'Mahoro', 'Irakoze', 'Byukusenge', 'Mukantwari', 'Nyiransabimana',
];
const kinyarwandaMale = [
  'Mugisha', 'Niyonzima', 'Habimana', 'Nshimiyimana', 'Uwimana', 'Hakizimana', 'Nsengiyumva', 'Ndayisaba', 'Bizimana',
  'Tuyisenge', 'Iradukunda', 'Ishimwe', 'Ndagijimana', 'Nkurunziza', 'Twagirayezu', 'Habyarimana', 'Munyaneza',
  'Ntakirutimana', 'Nzabonimpa', 'Niyomugabo', 'Kamanzi', 'Rukundo', 'Mugabo', 'Gatete', 'Kalisa', 'Karangwa', 'Mutabazi',
  'Manzi', 'Shema', 'Ganza', 'Hategekimana', 'Nsabimana', 'Sibomana', 'Ndikumana', 'Harerimana', 'Mbarushimana',
  'Nizeyimana', 'Ntirenganya', 'Byiringiro', 'Kwizera', 'Niyitegeka', 'Musabyimana',
];
// Given names from the Christian/French tradition, often written first and often compound.
const christianFemale = [
  'Marie', 'Claudine', 'Alice', 'Chantal', 'Jeanne', 'Josiane', 'Solange', 'Clémentine', 'Diane', 'Grace', 'Aline',
  'Béatrice', 'Odette', 'Vestine', 'Francine', 'Espérance', 'Immaculée', 'Ange', 'Divine', 'Sandrine', 'Delphine',
  'Yvonne', 'Liliane', 'Marie Claire', 'Marie Louise', 'Jacqueline', 'Agnès', 'Donatille', 'Gloriose', 'Pélagie',
];
const christianMale = [
  'Jean', 'Claude', 'Jean Claude', 'Jean Pierre', 'Emmanuel', 'Eric', 'Patrick', 'Olivier', 'Innocent', 'Théogène',
  'Félicien', 'Célestin', 'Fidèle', 'Jean de Dieu', 'Jean Bosco', 'Samuel', 'Daniel', 'David', 'Joseph', 'Pacifique',
  'Aimable', 'Janvier', 'Didier', 'Alexis', 'Gilbert', 'Vincent', 'Théoneste', 'Callixte', 'Evariste', 'Faustin',
];

const provinces: [string, string[]][] = [
  ['Kigali City', ['Gasabo', 'Kicukiro', 'Nyarugenge']],
  ['Eastern Province', ['Bugesera', 'Gatsibo', 'Kayonza', 'Kirehe', 'Ngoma', 'Nyagatare', 'Rwamagana']],
  ['Northern Province', ['Burera', 'Gakenke', 'Gicumbi', 'Musanze', 'Rulindo']],
  ['Southern Province', ['Gisagara', 'Huye', 'Kamonyi', 'Muhanga', 'Nyamagabe', 'Nyanza', 'Nyaruguru', 'Ruhango']],
  ['Western Province', ['Karongi', 'Ngororero', 'Nyabihu', 'Nyamasheke', 'Rubavu', 'Rusizi', 'Rutsiro']],
];
const districts = provinces.flatMap(([province, ds]) => ds.map((district) => ({ province, district })));

/** Today's reference instant, fixed so that a reloaded dataset is identical. */
const referenceYear = 2025;

export interface PatientFacts {
  nationalId: string;
  family: string;
  given: string[];
  birthDate: string;
  gender: 'male' | 'female';
}

/**
 * A Rwandan-style national ID: 1 (citizen) + birth year + 8 (male) / 7 (female) + 7-digit sequence
 * + issue digit + 2 check digits = 16 digits. The sequence makes loaded patients' IDs unique.
 */
function nationalId(year: number, gender: 'male' | 'female', sequence: number, rng: Rng): string {
  return `1${year}${gender === 'male' ? 8 : 7}${String(sequence % 10_000_000).padStart(7, '0')}${rng.int(0, 2)}${rng.digits(2)}`;
}

export function patientResource(seed: number, index: number, sequenceBase = 0): { id: string; resource: Json; facts: PatientFacts } {
  const rng = new Rng(hashSeed(seed, 'Patient', index));
  const gender = rng.next() < 0.51 ? 'female' : 'male';
  const kiny = gender === 'female' ? kinyarwandaFemale : kinyarwandaMale;
  const christian = gender === 'female' ? christianFemale : christianMale;
  const family = rng.pickSkewed(kiny);
  const given: string[] = [];
  const style = rng.next();
  if (style < 0.6) given.push(rng.pickSkewed(christian));
  else if (style < 0.8) given.push(rng.pickSkewed(kiny));
  else given.push(rng.pickSkewed(christian), rng.pickSkewed(kiny));
  // Rwanda's population is young: ages skew low.
  const age = Math.floor(85 * rng.next() ** 1.6);
  const year = referenceYear - 1 - age;
  // Older people often know only their birth year.
  const yearOnly = age >= 35 && rng.next() < 0.25;
  const birthDate = yearOnly ? String(year) : `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const nid = nationalId(year, gender, sequenceBase + index, rng);
  const place = rng.pick(districts);
  const phone = `+2507${rng.pick(['2', '3', '8', '9'])}${rng.digits(7)}`;
  const resource: Json = {
    resourceType: 'Patient',
    identifier: [{
      use: 'official',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI', display: 'National unique individual identifier' }], text: 'National ID' },
      system: nationalIdSystem,
      value: nid,
    }],
    active: true,
    name: [{ use: 'official', family, given }],
    telecom: [{ system: 'phone', value: phone, use: 'mobile' }],
    gender,
    birthDate,
    address: [{ use: 'home', type: 'physical', district: place.district, state: place.province, country: 'RW' }],
  };
  return { id: deterministicUuid(seed, 'Patient', index), resource, facts: { nationalId: nid, family, given, birthDate, gender } };
}

const vitalSigns = [
  { code: '8867-4', display: 'Heart rate', unit: 'beats/minute', ucum: '/min', lo: 55, hi: 120, decimals: 0 },
  { code: '8310-5', display: 'Body temperature', unit: 'Cel', ucum: 'Cel', lo: 35.8, hi: 39.8, decimals: 1 },
  { code: '29463-7', display: 'Body weight', unit: 'kg', ucum: 'kg', lo: 3, hi: 95, decimals: 1 },
  { code: '8302-2', display: 'Body height', unit: 'cm', ucum: 'cm', lo: 50, hi: 190, decimals: 0 },
  { code: '9279-1', display: 'Respiratory rate', unit: 'breaths/minute', ucum: '/min', lo: 12, hi: 32, decimals: 0 },
  { code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', unit: '%', ucum: '%', lo: 88, hi: 100, decimals: 0 },
] as const;

const conditions = [
  { code: 'B54', display: 'Unspecified malaria' },
  { code: 'I10', display: 'Essential (primary) hypertension' },
  { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
  { code: 'B20', display: 'HIV disease resulting in infectious and parasitic diseases' },
  { code: 'A15.0', display: 'Tuberculosis of lung, confirmed by sputum microscopy' },
  { code: 'J18.9', display: 'Pneumonia, unspecified' },
  { code: 'A09', display: 'Diarrhoea and gastroenteritis of presumed infectious origin' },
  { code: 'E43', display: 'Unspecified severe protein-energy malnutrition' },
  { code: 'J45.9', display: 'Asthma, unspecified' },
  { code: 'K29.7', display: 'Gastritis, unspecified' },
  { code: 'N39.0', display: 'Urinary tract infection, site not specified' },
  { code: 'D50.9', display: 'Iron deficiency anaemia, unspecified' },
] as const;

const encounterTypes = [
  { code: '185349003', display: 'Encounter for check up' },
  { code: '270427003', display: 'Patient-initiated encounter' },
  { code: '424441002', display: 'Prenatal initial visit' },
  { code: '410620009', display: 'Well child visit' },
] as const;

function isoDateTime(rng: Rng, yearsBack: number): string {
  // Daytime in Kigali (UTC+2), written with its offset as clinical systems there do.
  const day = Date.UTC(referenceYear, 0, 1) - (1 + Math.floor(rng.next() * yearsBack * 365)) * 86_400_000;
  const local = new Date(day + (7 * 3600 + Math.floor(rng.next() * 10 * 3600)) * 1000);
  return local.toISOString().replace(/\.\d{3}Z$/, '+02:00');
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

function observation(rng: Rng, patientRef: string, encounterRef: string | undefined, when: string): Json {
  const base: Json = {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }],
    subject: { reference: patientRef },
    ...(encounterRef ? { encounter: { reference: encounterRef } } : {}),
    effectiveDateTime: when,
  };
  if (rng.next() < 0.15) {
    const systolic = rng.int(95, 175);
    const diastolic = Math.max(50, systolic - rng.int(30, 60));
    const component = (code: string, display: string, value: number) => ({
      code: { coding: [{ system: 'http://loinc.org', code, display }] },
      valueQuantity: { value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    });
    return {
      ...base,
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
      component: [component('8480-6', 'Systolic blood pressure', systolic), component('8462-4', 'Diastolic blood pressure', diastolic)],
    };
  }
  const v = rng.pick(vitalSigns);
  return {
    ...base,
    code: { coding: [{ system: 'http://loinc.org', code: v.code, display: v.display }], text: v.display },
    valueQuantity: { value: round(v.lo + rng.next() * (v.hi - v.lo), v.decimals), unit: v.unit, system: 'http://unitsofmeasure.org', code: v.ucum },
  };
}

function encounter(rng: Rng, patientRef: string, start: string): Json {
  const t = rng.pick(encounterTypes);
  // Same offset as start: written as Kigali local time plus the visit's length.
  const end = new Date(Date.parse(start) + 2 * 3_600_000 + rng.int(10, 90) * 60_000).toISOString().replace(/\.\d{3}Z$/, '+02:00');
  return {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [{ coding: [{ system: 'http://snomed.info/sct', code: t.code, display: t.display }] }],
    subject: { reference: patientRef },
    period: { start, end },
  };
}

function condition(rng: Rng, patientRef: string, encounterRef: string, when: string): Json {
  const c = rng.pickSkewed(conditions);
  const resolved = rng.next() < 0.4;
  return {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: resolved ? 'resolved' : 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: c.code, display: c.display }], text: c.display },
    subject: { reference: patientRef },
    encounter: { reference: encounterRef },
    onsetDateTime: when,
    recordedDate: when,
  };
}

/** A visit is an Encounter followed by the Observations and (sometimes) Condition recorded at it. */
const visitLength = 7;

/**
 * The j-th of `others` clinical resources among `patients` patients: each patient gets a consecutive run
 * of about others/patients resources, grouped in visits (Encounter, Observations…, every 10th a Condition):
 * with 10 per patient, 20% Encounters, 10% Conditions and 70% vital-sign Observations.
 */
export function otherResource(seed: number, j: number, patients: number, others: number): { id: string; resource: Json } {
  const patient = Math.min(patients - 1, Math.floor((j * patients) / others));
  const firstOfPatient = Math.ceil((patient * others) / patients);
  const q = j - firstOfPatient;
  const visit = Math.floor(q / visitLength);
  const patientRef = `Patient/${deterministicUuid(seed, 'Patient', patient)}`;
  const encounterId = deterministicUuid(seed, 'Encounter', patient, visit);
  const visitRng = new Rng(hashSeed(seed, 'visit', patient, visit));
  const when = isoDateTime(visitRng, 5);
  const rng = new Rng(hashSeed(seed, 'other', j));
  if (q % visitLength === 0) return { id: encounterId, resource: encounter(rng, patientRef, when) };
  const id = deterministicUuid(seed, 'other', j);
  if (q % 10 === 9) return { id, resource: condition(rng, patientRef, `Encounter/${encounterId}`, when) };
  return { id, resource: observation(rng, patientRef, `Encounter/${encounterId}`, when) };
}

/**
 * A 20-entry transaction Bundle as a facility would post after a first visit: a new Patient, the
 * Encounter, 17 vital-sign Observations and a Condition, all referring to each other by urn:uuid.
 */
export function visitBundle(seed: number, n: number): Json {
  const rng = new Rng(hashSeed(seed, 'bundle', n));
  const { resource: patient } = patientResource(seed ^ 0x5a5a, n, 9_000_000);
  const urn = () => `urn:uuid:${deterministicUuid(seed, 'bundle-urn', n, rng.next())}`;
  const patientUrn = urn();
  const encounterUrn = urn();
  const when = isoDateTime(rng, 1);
  const tag = { meta: { tag: [benchWriteTag] } };
  const entries: Json[] = [
    { fullUrl: patientUrn, resource: { ...patient, ...tag }, request: { method: 'POST', url: 'Patient' } },
    { fullUrl: encounterUrn, resource: { ...encounter(rng, patientUrn, when), ...tag }, request: { method: 'POST', url: 'Encounter' } },
  ];
  for (let i = 0; i < 17; i++) {
    entries.push({ fullUrl: urn(), resource: { ...observation(rng, patientUrn, encounterUrn, when), ...tag }, request: { method: 'POST', url: 'Observation' } });
  }
  entries.push({ fullUrl: urn(), resource: { ...condition(rng, patientUrn, encounterUrn, when), ...tag }, request: { method: 'POST', url: 'Condition' } });
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** A new Patient as a client would POST it (bench-tagged so the benchmark can remove what it wrote). */
export function newPatient(seed: number, n: number): Json {
  const { resource } = patientResource(seed ^ 0xa5a5, n, 8_000_000);
  return { ...resource, meta: { tag: [benchWriteTag] } };
}
