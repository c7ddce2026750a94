/**
 * Synthetic people with ground truth for measuring match quality: households (parents, children,
 * twins) sharing phones and villages, then duplicate records of some people as other facilities
 * would write them, with the errors seen in Rwandan registration data. Deterministic from a seed.
 */
import { makeNationalId } from '../national-id.ts';
import { distinctPlaceNames, rwandanName, type Sex } from '../../../seed/names.ts';
import { Rng } from '../../../seed/prng.ts';
import type { PersonRecord } from './person-record.ts';
import { EXTRA_FRENCH_FEMALE, EXTRA_FRENCH_MALE, EXTRA_KINYARWANDA, compoundKinyarwandaName } from './synthetic-names.ts';

export interface SyntheticOptions {
  /** Number of distinct people (default 10,000). */
  people?: number;
  seed?: number;
  /** Year against which ages are computed (default 2025). */
  asOfYear?: number;
  /** Multiplies every error probability (default 1). 0 gives exact copies. */
  errorRate?: number;
}

export interface SyntheticPerson {
  personId: string;
  householdId: string;
  role: 'head' | 'spouse' | 'child';
  /** The person as they really are (full date of birth, every phone, national ID if any). */
  truth: PersonRecord;
  twinOf?: string;
}

export interface SyntheticDataset {
  people: SyntheticPerson[];
  /** Records as facilities wrote them: one or more per person. */
  records: PersonRecord[];
  /** Record id → person id. */
  truth: Map<string, string>;
}

interface Village {
  village: string;
  cell: string;
  sector: string;
  district: string;
}

function buildVillages(rng: Rng, count: number): Village[] {
  const taken = new Set<string>();
  const districts = Math.max(1, Math.min(30, Math.round(count / 12)));
  const out: Village[] = [];
  const districtNames = distinctPlaceNames(rng, districts, taken);
  for (const district of districtNames) {
    const sectors = Math.max(1, Math.round(count / (districts * 12)));
    for (const sector of distinctPlaceNames(rng, sectors, taken)) {
      for (const cell of distinctPlaceNames(rng, 3, taken)) {
        for (const village of distinctPlaceNames(rng, 4, taken)) out.push({ village, cell, sector, district });
      }
    }
  }
  return out;
}

function mobile(rng: Rng): string {
  return `+2507${rng.pick(['2', '3', '8', '8', '8', '9'])}${rng.digits(7)}`;
}

function name(rng: Rng, sex: Sex, year: number, avoid: string[]): { given: string[]; family: string[] } {
  const n = rwandanName(rng, sex, year, avoid);
  let family = n.family;
  const x = rng.float();
  if (x < 0.6) {
    for (let i = 0; i < 10 && (i === 0 || avoid.includes(family)); i++) family = x < 0.3 ? rng.pick(EXTRA_KINYARWANDA) : compoundKinyarwandaName(rng);
  }
  // widen the French names too (the seed has about 40 per sex)
  const given = n.given.length === 1 && rng.chance(0.35) ? [rng.pick(sex === 'male' ? EXTRA_FRENCH_MALE : EXTRA_FRENCH_FEMALE)] : n.given;
  return { given, family: [family] };
}

function date(rng: Rng, year: number): string {
  const month = rng.int(1, 12);
  const day = rng.int(1, month === 2 ? 28 : [4, 6, 9, 11].includes(month) ? 30 : 31);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// ---- errors ---------------------------------------------------------------------------------

const SPELLING_VARIANTS: Array<[RegExp, string]> = [
  [/r/, 'l'], [/l/, 'r'], [/([aeiou])/, '$1$1'], [/([mn])/, '$1$1'], [/c(?=[aou])/, 'k'], [/k/, 'c'],
  [/y/, 'i'], [/iy/, 'i'], [/ou/, 'u'], [/^H/, ''], [/Cy/, 'Chy'], [/aa/, 'a'], [/ph/, 'f'],
];

function spellingVariant(rng: Rng, s: string): string {
  for (let i = 0; i < 6; i++) {
    const [re, to] = rng.pick(SPELLING_VARIANTS);
    if (re.test(s)) {
      const t = s.replace(re, to);
      if (t.length >= 2) return t[0].toUpperCase() + t.slice(1);
    }
  }
  return s;
}

function typo(rng: Rng, s: string): string {
  if (s.length < 3) return s;
  const i = rng.int(1, s.length - 1);
  const letters = 'abcdefghijklmnoprstuwyz';
  switch (rng.int(0, 3)) {
    case 0:
      return s.slice(0, i) + rng.pick(letters.split('')) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + s.slice(i + 1);
    case 2:
      return s.slice(0, i) + rng.pick(letters.split('')) + s.slice(i);
    default:
      return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
  }
}

function dropAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

function digitTypo(rng: Rng, s: string, from = 0): string {
  const i = rng.int(from, s.length - 1);
  let d = s[i];
  while (d === s[i]) d = String(rng.int(0, 9));
  return s.slice(0, i) + d + s.slice(i + 1);
}

function formatPhone(rng: Rng, p: string): string {
  const local = '0' + p.slice(4);
  return rng.weighted([[p, 4], [local, 4], [`${local.slice(0, 4)} ${local.slice(4, 7)} ${local.slice(7)}`, 1], [p.slice(1), 1]]);
}

/** A record of `person` as one facility wrote it. */
function facilityRecord(rng: Rng, person: SyntheticPerson, id: string, e: number, villages: Village[], original: boolean): PersonRecord {
  const t = person.truth;
  const chance = (p: number) => rng.chance(Math.min(1, p * e));
  const noAccents = chance(0.5);
  const fixName = (s: string) => {
    let out = noAccents ? dropAccents(s) : s;
    if (chance(original ? 0.03 : 0.08)) out = out.split(' ').map((w) => spellingVariant(rng, w)).join(' ');
    if (chance(original ? 0.015 : 0.04)) out = typo(rng, out);
    if (out.includes(' ') && chance(0.3)) out = rng.pick([out.replace(/ /g, '-'), out.replace(/ /g, ''), out[0] + '. ' + out.split(' ').slice(1).join(' ')]);
    if (chance(0.3)) out = out.toUpperCase();
    return out;
  };
  let given = t.given.map(fixName);
  let family = t.family.map(fixName);
  if (given.length > 1 && chance(0.15)) given = given.slice(0, 1);
  else if (given.length > 1 && chance(0.05)) {
    family = [...family, given[1]];
    given = given.slice(0, 1);
  }
  if (chance(0.1)) [given, family] = [family, given];

  const r: PersonRecord = { id, given, family, phones: [], nationalIds: [], otherIds: [] };

  if (t.birthDate && !chance(0.04)) {
    let bd = t.birthDate;
    const year = Number(bd.slice(0, 4));
    const elderly = year < 1970 ? 0.45 : year < 1990 ? 0.12 : 0.03;
    if (chance(elderly)) bd = bd.slice(0, 4);
    else if (chance(0.03) && Number(bd.slice(8, 10)) <= 12 && bd.slice(5, 7) !== bd.slice(8, 10)) bd = `${bd.slice(0, 4)}-${bd.slice(8, 10)}-${bd.slice(5, 7)}`;
    else if (chance(0.03)) bd = date(rng, year);
    if (chance(0.03)) bd = String(year + rng.pick([-1, 1])) + bd.slice(4);
    r.birthDate = bd;
  }
  if (t.sex && !chance(0.04)) r.sex = chance(0.005) ? (t.sex === 'male' ? 'female' : 'male') : t.sex;

  if (t.phones.length > 0 && !chance(original ? 0.15 : 0.25)) {
    let p = rng.pick(t.phones);
    if (chance(0.1)) p = mobile(rng);
    else if (chance(0.03)) p = '+' + digitTypo(rng, p.slice(1), 5);
    r.phones.push(formatPhone(rng, p));
  }
  if (t.nationalIds.length > 0 && !chance(original ? 0.25 : 0.35)) {
    let nid = t.nationalIds[0];
    if (chance(0.03)) nid = digitTypo(rng, nid);
    r.nationalIds.push(nid);
  }

  if (!chance(0.05)) {
    let v: Village = { village: t.village!, cell: t.cell!, sector: t.sector!, district: t.district! };
    if (chance(0.08)) v = rng.pick(villages);
    r.district = v.district;
    if (!chance(0.1)) r.sector = v.sector;
    if (!chance(0.15)) {
      r.cell = v.cell;
      if (!chance(0.1)) r.village = v.village;
    }
  }
  return r;
}

/** How many extra records (other facilities) a person has. */
function duplicateCount(rng: Rng): number {
  return rng.weighted([[0, 55], [1, 30], [2, 10], [3, 5]]);
}

export function generateSyntheticPeople(options: SyntheticOptions = {}): SyntheticDataset {
  const target = options.people ?? 10_000;
  const asOf = options.asOfYear ?? 2025;
  const e = options.errorRate ?? 1;
  const root = new Rng(options.seed ?? 1);
  const villages = buildVillages(root.fork('villages'), Math.max(12, Math.round(target / 200)));
  const rng = root.fork('people');
  const usedIds = new Set<string>();
  const people: SyntheticPerson[] = [];

  const nationalId = (sex: Sex, year: number): string[] => {
    if (asOf - year < 16 || !rng.chance(0.95)) return [];
    let id: string;
    do id = makeNationalId({ status: 'citizen', birthYear: year, sex, sequence: rng.int(0, 9_999_999), issue: rng.chance(0.1) ? 1 : 0 });
    while (usedIds.has(id));
    usedIds.add(id);
    return [id];
  };
  const makePerson = (hh: string, role: SyntheticPerson['role'], sex: Sex, birthDate: string, v: Village, phones: string[], avoid: string[]): SyntheticPerson => {
    const year = Number(birthDate.slice(0, 4));
    const n = name(rng, sex, year, avoid);
    const personId = `p${people.length + 1}`;
    const truth: PersonRecord = {
      id: personId, ...n, birthDate, sex, phones, nationalIds: nationalId(sex, year), otherIds: [], ...v,
    };
    const p: SyntheticPerson = { personId, householdId: hh, role, truth };
    people.push(p);
    return p;
  };

  let households = 0;
  while (people.length < target) {
    const hh = `h${++households}`;
    const v = rng.pick(villages);
    const single = rng.chance(0.15);
    const headYear = rng.int(1950, 2000);
    const householdPhone = rng.chance(0.9) ? mobile(rng) : undefined;
    const members: SyntheticPerson[] = [];
    let mother: SyntheticPerson | undefined;
    let motherYear = headYear + rng.int(-2, 8);
    if (single) {
      mother = makePerson(hh, 'head', 'female', date(rng, motherYear), v, householdPhone ? [householdPhone] : [], []);
      members.push(mother);
    } else {
      members.push(makePerson(hh, 'head', 'male', date(rng, headYear), v, householdPhone ? [householdPhone] : [], []));
      const spousePhone = rng.chance(0.6) ? [mobile(rng)] : householdPhone ? [householdPhone] : [];
      motherYear = Math.min(motherYear, 2003);
      mother = makePerson(hh, 'spouse', 'female', date(rng, motherYear), v, spousePhone, []);
      members.push(mother);
    }
    const parentNames = members.flatMap((m) => [...m.truth.family, ...m.truth.given]);
    const children = rng.weighted([[0, 15], [1, 15], [2, 20], [3, 20], [4, 15], [5, 10], [6, 5]]);
    let childYear = motherYear + rng.int(18, 24);
    for (let c = 0; c < children && childYear <= asOf; c++) {
      const birthDate = date(rng, childYear);
      const twins = rng.chance(0.03) ? 2 : 1;
      let first: SyntheticPerson | undefined;
      const siblingNames = members.flatMap((m) => m.truth.family);
      for (let t = 0; t < twins; t++) {
        const adult = asOf - childYear >= 18;
        const phones = adult && rng.chance(0.6) ? [mobile(rng)] : (mother.truth.phones.length ? mother.truth.phones : householdPhone ? [householdPhone] : []);
        const sex: Sex = rng.chance(0.5) ? 'male' : 'female';
        const child = makePerson(hh, 'child', sex, birthDate, v, phones, [...parentNames, ...siblingNames, ...(first ? first.truth.family : [])]);
        if (first) child.twinOf = first.personId;
        else first = child;
        members.push(child);
      }
      childYear += rng.int(1, 4);
    }
  }

  const records: PersonRecord[] = [];
  const truth = new Map<string, string>();
  const dup = root.fork('records');
  const pending: Array<{ person: SyntheticPerson; original: boolean }> = [];
  for (const person of people) {
    pending.push({ person, original: true });
    for (let k = duplicateCount(dup); k > 0; k--) pending.push({ person, original: false });
  }
  // records arrive in random order, as from many facilities over time
  for (let i = pending.length - 1; i > 0; i--) {
    const j = dup.int(0, i);
    [pending[i], pending[j]] = [pending[j], pending[i]];
  }
  pending.forEach(({ person, original }, i) => {
    const id = `r${i + 1}`;
    records.push(facilityRecord(dup, person, id, e, villages, original));
    truth.set(id, person.personId);
  });
  return { people, records, truth };
}
