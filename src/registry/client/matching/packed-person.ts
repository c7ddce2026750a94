/**
 * A person record with everything matching derives from it (name forms with their phonetic keys,
 * birth date and sex read from a national ID) as one string, and back.
 *
 * The bulk loader keeps every placed person in memory so that candidates are not read and decrypted
 * again. As objects, a person is some fifty heap objects, and a million of them made the garbage
 * collector's marking the loader's largest cost; a string is one object the collector does not look
 * into. Packing also lets worker threads derive the name forms, so the main thread only parses them.
 */
import { adoptNameForms, namesOf, type RecordNameForms } from './comparators.ts';
import { adoptNationalIdFacts, withNationalIdFacts } from './match-pair.ts';
import type { PersonRecord } from './person-record.ts';

type Packed = [PersonRecord, RecordNameForms, [string | null, string | null] | null];

export function packPerson(r: PersonRecord): string {
  const filled = withNationalIdFacts(r);
  const facts: Packed[2] = filled === r ? null : [filled.birthDate ?? null, filled.sex ?? null];
  return JSON.stringify([r, namesOf(r), facts] satisfies Packed);
}

/** A record equal to the one packed, its derived facts already in place (nothing recomputed). */
export function unpackPerson(packed: string): PersonRecord {
  const [r, names, facts] = JSON.parse(packed) as Packed;
  adoptNameForms(r, names);
  if (facts) {
    const filled: PersonRecord = { ...r };
    if (facts[0] !== null) filled.birthDate = facts[0];
    if (facts[1] !== null) filled.sex = facts[1] as PersonRecord['sex'];
    // The copy has the same names, so the same forms.
    adoptNameForms(filled, names);
    adoptNationalIdFacts(r, filled);
  }
  return r;
}
