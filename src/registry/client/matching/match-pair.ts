/**
 * Compares two person records: per-field levels and weights, the total score, and the facts the
 * decision rules' safeguards need (which the score alone hides: twins and parent/child pairs agree
 * on many fields and can score high).
 */
import {
  birthYearGap,
  compareAddresses,
  compareBirthDates,
  compareNames,
  compareNationalIds,
  comparePhones,
  compareSex,
  type MatchField,
} from './comparators.ts';
import { levelWeight, type MatchModel } from './fellegi-sunter.ts';
import { normaliseNationalIdForMatch, type PersonRecord } from './person-record.ts';
import { parseNationalId } from '../national-id.ts';
import { nameCode, termU } from './term-frequency.ts';

export interface FieldComparison {
  field: string;
  /** Agreement level, or 'missing' when either side lacks the field (weight 0). */
  level: string;
  weight: number;
  a?: string;
  b?: string;
}

export interface PairFacts {
  /** Both records carry the same national ID or a replacement card of it. */
  sharedNationalId: boolean;
  /** National IDs one digit (or one adjacent swap) apart. */
  nationalIdTypo: boolean;
  birthYearGap?: number;
  /** Both full dates and equal. */
  sameFullBirthDate: boolean;
  sexDisagree: boolean;
  givenLevel?: string;
  familyLevel?: string;
  namesSwapped: boolean;
  /** Jaro–Winkler similarity of the given names (0 when missing). */
  givenSimilarity: number;
  sharedPhone: boolean;
  sameVillage: boolean;
}

export interface PairComparison {
  score: number;
  fields: FieldComparison[];
  /** Deterministic rule that fired, if any (the decision rules may still overrule it with a safeguard). */
  deterministic?: string;
  /** Facts for the safeguards; `decide` derives what it can from `fields` when absent. */
  facts?: PairFacts;
}

export type PairLevels = Partial<Record<MatchField, string>>;

/**
 * The record with a missing birth date or sex filled in from its national ID, which encodes both
 * (digits 2–5 and 6). Only IDs whose check digits are right count: a mistyped ID could carry a
 * wrong year. This turns "no birth date" into evidence, e.g. against a namesake born 20 years
 * apart.
 */
// On the record, not in a WeakMap (see namesOf in comparators.ts); not enumerable.
const filledKey = Symbol('filled from national ID');

export function withNationalIdFacts(r: PersonRecord): PersonRecord {
  if (r.birthDate && (r.sex === 'male' || r.sex === 'female')) return r;
  // one record meets many candidates: parse its IDs once (records are not mutated while matching)
  const cached = (r as PersonRecord & { [filledKey]?: PersonRecord })[filledKey];
  if (cached) return cached;
  const out = fillFromNationalId(r);
  Object.defineProperty(r, filledKey, { value: out });
  return out;
}

/** Gives a record its national-ID facts derived before (withNationalIdFacts of a copy of it). */
export function adoptNationalIdFacts(r: PersonRecord, filled: PersonRecord): void {
  Object.defineProperty(r, filledKey, { value: filled });
}

function fillFromNationalId(r: PersonRecord): PersonRecord {
  for (const raw of r.nationalIds) {
    const id = normaliseNationalIdForMatch(raw);
    const parsed = id ? parseNationalId(id) : undefined;
    if (!parsed?.ok) continue;
    const out = { ...r };
    if (!out.birthDate) out.birthDate = String(parsed.value.birthYear);
    if (out.sex !== 'male' && out.sex !== 'female') out.sex = parsed.value.sex;
    return out;
  }
  return r;
}

/** Agreement levels only: what EM and the score need. */
export function compareLevels(a: PersonRecord, b: PersonRecord): { levels: PairLevels; swapped: boolean; givenSimilarity: number; asBag: boolean } {
  a = withNationalIdFacts(a);
  b = withNationalIdFacts(b);
  const names = compareNames(a, b);
  return {
    levels: {
      nationalId: compareNationalIds(a, b),
      given: names.given,
      family: names.family,
      birthDate: compareBirthDates(a.birthDate, b.birthDate),
      sex: compareSex(a.sex, b.sex),
      phone: comparePhones(a, b),
      address: compareAddresses(a, b),
    },
    swapped: names.swapped,
    givenSimilarity: names.givenSimilarity,
    asBag: names.asBag ?? false,
  };
}

function shown(r: PersonRecord, field: MatchField): string | undefined {
  switch (field) {
    case 'nationalId':
      return r.nationalIds.join(', ') || undefined;
    case 'given':
      return r.given.join(' ') || undefined;
    case 'family':
      return r.family.join(' ') || undefined;
    case 'birthDate':
      return r.birthDate;
    case 'sex':
      return r.sex;
    case 'phone':
      return r.phones.join(', ') || undefined;
    case 'address':
      return [r.village, r.cell, r.sector, r.district].filter(Boolean).join(', ') || undefined;
  }
}

export function comparePair(a: PersonRecord, b: PersonRecord, model: MatchModel): PairComparison {
  const { levels, swapped, givenSimilarity, asBag } = compareLevels(a, b);
  const fields: FieldComparison[] = [];
  let score = 0;
  for (const field of Object.keys(levels) as MatchField[]) {
    const level = levels[field];
    let weight = levelWeight(model, field, level);
    // A shared phone is a shared household, which implies a shared village: counting the village
    // again would double the same evidence (the fields are not independent, as the model assumes),
    // and lifts parents, children and siblings towards a link.
    if (field === 'address' && levels.phone === 'exact' && weight > 0) weight = 0;
    if ((field === 'given' || field === 'family') && (level === 'exact' || level === 'phonetic') && model.nameFrequencies && !asBag) {
      const u = termU(model.nameFrequencies, field, nameCode(field === 'given' ? a.given : a.family));
      const m = model.fields[field]?.[level]?.m;
      if (u !== undefined && m !== undefined && m > 0) weight = Math.log2(m / u);
    }
    score += weight;
    const fc: FieldComparison = { field, level: level ?? 'missing', weight };
    const sa = shown(a, field);
    const sb = shown(b, field);
    if (sa !== undefined) fc.a = sa;
    if (sb !== undefined) fc.b = sb;
    fields.push(fc);
  }
  const gap = birthYearGap(withNationalIdFacts(a).birthDate, withNationalIdFacts(b).birthDate);
  const facts: PairFacts = {
    sharedNationalId: levels.nationalId === 'exact' || levels.nationalId === 'replacement',
    nationalIdTypo: levels.nationalId === 'typo',
    sameFullBirthDate: levels.birthDate === 'exact',
    sexDisagree: levels.sex === 'disagree',
    namesSwapped: swapped,
    givenSimilarity,
    sharedPhone: levels.phone === 'exact',
    sameVillage: levels.address === 'village',
  };
  if (gap !== undefined) facts.birthYearGap = gap;
  if (levels.given) facts.givenLevel = levels.given;
  if (levels.family) facts.familyLevel = levels.family;
  const c: PairComparison = { score, fields, facts };
  if (facts.sharedNationalId) c.deterministic = levels.nationalId === 'exact' ? 'same-national-id' : 'replacement-national-id';
  return c;
}
