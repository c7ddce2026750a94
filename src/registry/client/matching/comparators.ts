/**
 * Per-field comparators. Each returns an agreement level (a small ordered vocabulary per field,
 * the unit Fellegi–Sunter weights attach to) or undefined when the field is missing on either
 * side: a missing value is neither evidence for nor against a match.
 */
import { jaroWinkler } from '@skyra/jaro-winkler';
import { distance as levenshtein } from 'fastest-levenshtein';
import { foldName, nameTokens } from './normalise-name.ts';
import { phoneticKey } from './phonetic-key.ts';
import { normaliseNationalIdForMatch, normalisePhone, parseBirthDate, type PersonRecord } from './person-record.ts';

/** Agreement levels per field, best first. The model must have an m/u pair for each. */
export const FIELD_LEVELS = {
  nationalId: ['exact', 'replacement', 'typo', 'disagree'],
  given: ['exact', 'phonetic', 'close', 'partial', 'disagree'],
  family: ['exact', 'phonetic', 'close', 'partial', 'disagree'],
  birthDate: ['exact', 'transposed', 'year-month', 'year', 'other-date', 'year-off-by-one', 'disagree'],
  sex: ['agree', 'disagree'],
  phone: ['exact', 'typo', 'disagree'],
  address: ['village', 'cell', 'sector', 'district', 'disagree'],
} as const satisfies Record<string, readonly string[]>;

export type MatchField = keyof typeof FIELD_LEVELS;
export const MATCH_FIELDS = Object.keys(FIELD_LEVELS) as MatchField[];

export type NameLevel = (typeof FIELD_LEVELS)['given'][number];
const NAME_RANK: Record<NameLevel, number> = { exact: 4, phonetic: 3, close: 2, partial: 1, disagree: 0 };

export function nameLevelRank(l: NameLevel | undefined): number {
  return l === undefined ? -1 : NAME_RANK[l];
}

/** One substitution, insertion or deletion, or one swap of adjacent letters (Levenshtein alone counts a swap as two). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (levenshtein(a, b) <= 1) return true;
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** A name token (or run of tokens joined) with its phonetic key. */
interface KeyedName {
  text: string;
  key: string;
}

/** What the comparators need of a name part, derived once: one record meets many candidates. */
interface NameForms {
  tokens: string[];
  joined: string;
  /** Phonetic key of `joined`. */
  key: string;
  /** Each token, then every run of 2–3 consecutive tokens joined, so that "Jeanbaptiste" can meet "Jean Baptiste Ntwari". */
  runs: KeyedName[];
}

function nameForms(tokens: string[]): NameForms {
  const runs = tokens.map((t) => ({ text: t, key: phoneticKey(t) }));
  for (let len = 2; len <= 3; len++) {
    for (let i = 0; i + len <= tokens.length; i++) {
      const text = tokens.slice(i, i + len).join('');
      runs.push({ text, key: phoneticKey(text) });
    }
  }
  const joined = tokens.join('');
  return { tokens, joined, key: phoneticKey(joined), runs };
}

// Kept on the record itself, not in a WeakMap: the bulk loader holds millions of records, and a
// WeakMap that size makes every full garbage collection walk it as ephemerons.
const namesKey = Symbol('name forms');
/** What matching derives from a record's names; plain data (packed-person.ts stores it with the record). */
export interface RecordNameForms {
  given: NameForms;
  family: NameForms;
  all: NameForms;
}
type WithNames = PersonRecord & { [namesKey]?: RecordNameForms };

/** A record's name forms, computed once per record (records are not mutated while matching). */
export function namesOf(r: PersonRecord): RecordNameForms {
  let names = (r as WithNames)[namesKey];
  if (!names) {
    const given = nameTokens(r.given);
    const family = nameTokens(r.family);
    names = { given: nameForms(given), family: nameForms(family), all: nameForms([...given, ...family]) };
    // Not enumerable: a record compares and serialises as it did before it was matched.
    Object.defineProperty(r, namesKey, { value: names });
  }
  return names;
}

/** Gives a record the name forms derived from its names before (namesOf of a copy with the same names). */
export function adoptNameForms(r: PersonRecord, names: RecordNameForms): void {
  Object.defineProperty(r, namesKey, { value: names });
}

function tokenAgrees(x: KeyedName, y: KeyedName): boolean {
  if (x.text === y.text) return true;
  // an initial ("J. Baptiste") stands for any name with that first letter
  if (x.text.length === 1 || y.text.length === 1) return x.text[0] === y.text[0];
  if (x.key === y.key) return true;
  return Math.min(x.text.length, y.text.length) >= 3 && (withinOneEdit(x.text, y.text) || withinOneEdit(x.key, y.key));
}

/** Does every token of the shorter name agree with a distinct token (or run of tokens) of the longer one? */
function tokensSubset(a: NameForms, b: NameForms): boolean {
  const [short, long] = a.tokens.length <= b.tokens.length ? [a, b] : [b, a];
  const used = new Set<number>();
  for (const t of short.runs.slice(0, short.tokens.length)) {
    let found = -1;
    for (let j = 0; j < long.runs.length; j++) {
      if (!used.has(j) && tokenAgrees(t, long.runs[j])) {
        found = j;
        break;
      }
    }
    if (found < 0) return false;
    used.add(found);
  }
  return true;
}

/**
 * Compares two name parts (lists of names). Works on the concatenation so that "Jean Baptiste",
 * "Jean-Baptiste" and "Jeanbaptiste" are exact, and falls back to token subsets so that "Marie
 * Claire" / "Marie" and "J. Baptiste" / "Jean Baptiste" are partial. Edit distance is capped at
 * one edit on purpose: Rwandan names differing in two or three letters are usually different
 * names (Niyonsaba / Niyonsenga, Nsabimana / Nsanzimana), not typos.
 */
export function compareNameParts(a: readonly string[], b: readonly string[]): NameLevel | undefined {
  return compareNameForms(nameForms(nameTokens(a)), nameForms(nameTokens(b)));
}

function compareNameForms(a: NameForms, b: NameForms): NameLevel | undefined {
  const { tokens: ta, joined: ja } = a;
  const { tokens: tb, joined: jb } = b;
  if (ta.length === 0 || tb.length === 0) return undefined;
  if (ja === jb || (ta.length === tb.length && [...ta].sort().join(' ') === [...tb].sort().join(' '))) return 'exact';
  if (a.key === b.key) return 'phonetic';
  if (withinOneEdit(ja, jb) || withinOneEdit(a.key, b.key)) return 'close';
  if (ja.length >= 10 && jb.length >= 10 && jaroWinkler(ja, jb) >= 0.97) return 'close';
  if (tokensSubset(a, b)) return 'partial';
  return 'disagree';
}

export interface NameComparison {
  given?: NameLevel;
  family?: NameLevel;
  /** Jaro–Winkler similarity of the given names as compared (0 when missing): tells twins from typos. */
  givenSimilarity: number;
  /** Given and family names agree better when crossed over. */
  swapped: boolean;
  /** Compared as one bag of tokens (names moved between the boxes). */
  asBag?: boolean;
}

/**
 * Given and family names, straight or crossed over, whichever agrees better: the Kinyarwanda
 * name is written first on official documents and often lands in the "given" box.
 */
export function compareNames(a: PersonRecord, b: PersonRecord): NameComparison {
  const na = namesOf(a);
  const nb = namesOf(b);
  const sg = compareNameForms(na.given, nb.given);
  const sf = compareNameForms(na.family, nb.family);
  const cg = compareNameForms(na.given, nb.family);
  const cf = compareNameForms(na.family, nb.given);
  const straight = nameLevelRank(sg) + nameLevelRank(sf);
  const crossed = nameLevelRank(cg) + nameLevelRank(cf);
  const sim = (x: NameForms, y: NameForms) => (x.joined && y.joined ? jaroWinkler(x.joined, y.joined) : 0);
  if (crossed > straight && cg !== undefined && cf !== undefined) return { given: cg, family: cf, swapped: true, givenSimilarity: sim(na.given, nb.family) };
  // Names moved between the boxes: everything in "given" on one side ("UWIMANA Marie Claire"), or
  // a second Kinyarwanda name filed as given on one side and as family on the other. When the
  // whole names carry the same tokens, that is the same name, whatever the boxes say.
  const best = Math.max(straight, crossed);
  if (best < 2 * NAME_RANK.phonetic) {
    const ta = na.all;
    const tb = nb.all;
    if (ta.tokens.length > 0 && tb.tokens.length > 0) {
      const all = compareNameForms(ta, tb);
      const sameTokens = all === 'exact' || all === 'phonetic' || (tokensSubset(ta, tb) && Math.abs(ta.joined.length - tb.joined.length) <= 2);
      if (sameTokens) {
        const level: NameLevel = all === 'exact' ? 'exact' : 'phonetic';
        return { given: level, family: level, swapped: false, givenSimilarity: 1, asBag: true };
      }
    }
  }
  return { given: sg, family: sf, swapped: false, givenSimilarity: sim(na.given, nb.given) };
}

export type BirthDateLevel = (typeof FIELD_LEVELS)['birthDate'][number];

export function compareBirthDates(a: string | undefined, b: string | undefined): BirthDateLevel | undefined {
  const x = parseBirthDate(a);
  const y = parseBirthDate(b);
  if (!x || !y) return undefined;
  if (x.year !== y.year) return Math.abs(x.year - y.year) <= 1 ? 'year-off-by-one' : 'disagree';
  if (x.month === undefined || y.month === undefined) return 'year';
  if (x.day !== undefined && y.day !== undefined) {
    if (x.month === y.month && x.day === y.day) return 'exact';
    if (x.month === y.day && x.day === y.month) return 'transposed';
  }
  if (x.month === y.month) return 'year-month';
  // same year, months known on both sides and different: a wrong date, or another person
  return 'other-date';
}

export function birthYearGap(a: string | undefined, b: string | undefined): number | undefined {
  const x = parseBirthDate(a);
  const y = parseBirthDate(b);
  return x && y ? Math.abs(x.year - y.year) : undefined;
}

export function compareSex(a: string | undefined, b: string | undefined): 'agree' | 'disagree' | undefined {
  const known = (s: string | undefined) => s === 'male' || s === 'female';
  if (!known(a) || !known(b)) return undefined;
  return a === b ? 'agree' : 'disagree';
}

function oneDigitApart(a: string, b: string): boolean {
  return a.length === b.length && withinOneEdit(a, b);
}

export function normalisedPhones(r: PersonRecord): string[] {
  const out: string[] = [];
  for (const p of r.phones) {
    const n = normalisePhone(p);
    if (n && !out.includes(n)) out.push(n);
  }
  return out;
}

export function normalisedNationalIds(r: PersonRecord): string[] {
  const out: string[] = [];
  for (const p of r.nationalIds) {
    const n = normaliseNationalIdForMatch(p);
    if (n && !out.includes(n)) out.push(n);
  }
  return out;
}

export function comparePhones(a: PersonRecord, b: PersonRecord): 'exact' | 'typo' | 'disagree' | undefined {
  const pa = normalisedPhones(a);
  const pb = normalisedPhones(b);
  if (pa.length === 0 || pb.length === 0) return undefined;
  if (pa.some((p) => pb.includes(p))) return 'exact';
  if (pa.some((p) => pb.some((q) => oneDigitApart(p, q)))) return 'typo';
  return 'disagree';
}

/**
 * 'replacement': same first 13 digits (status, birth year, sex, sequence), different issue count
 * and check digits: a replacement card of the same person.
 */
export function compareNationalIds(a: PersonRecord, b: PersonRecord): (typeof FIELD_LEVELS)['nationalId'][number] | undefined {
  const ia = normalisedNationalIds(a);
  const ib = normalisedNationalIds(b);
  if (ia.length === 0 || ib.length === 0) return undefined;
  if (ia.some((x) => ib.includes(x))) return 'exact';
  if (ia.some((x) => ib.some((y) => x.slice(0, 13) === y.slice(0, 13)))) return 'replacement';
  if (ia.some((x) => ib.some((y) => oneDigitApart(x, y)))) return 'typo';
  return 'disagree';
}

function same(x: string | undefined, y: string | undefined): boolean | undefined {
  if (!x || !y) return undefined;
  return foldName(x) === foldName(y);
}

/**
 * Address agreement from the finest level down. Village names repeat across cells, so a village
 * only counts when the cell does not contradict it (and likewise upwards).
 */
export function compareAddresses(a: PersonRecord, b: PersonRecord): (typeof FIELD_LEVELS)['address'][number] | undefined {
  const d = same(a.district, b.district);
  const s = same(a.sector, b.sector);
  const c = same(a.cell, b.cell);
  const v = same(a.village, b.village);
  if (d === undefined && s === undefined && c === undefined && v === undefined) return undefined;
  if (d === false) return 'disagree';
  if (s === false) return d ? 'district' : 'disagree';
  if (c === false) return s ? 'sector' : d ? 'district' : 'disagree';
  if (v === true) return 'village';
  if (v === false) return c ? 'cell' : s ? 'sector' : d ? 'district' : 'disagree';
  // no village on one side: the finest level both have
  if (c) return 'cell';
  if (s) return 'sector';
  if (d) return 'district';
  return undefined;
}
