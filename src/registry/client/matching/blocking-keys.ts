/**
 * Blocking keys: matching a record only compares it with records that share at least one key, so
 * it never scans the registry. Each key is built so that its block stays small at national scale
 * (~14 million people) and so that the errors clerks make leave at least one key intact:
 *
 *   id1/id2/id3  national ID with one of three digit groups left out: any one-digit typo keeps
 *                one key (each group pair still has 10–11 digits, so blocks hold ~1 person)
 *   tel          phone (a household, ~5 people)
 *   ny           two name codes, one from each name part, unordered (swap-proof) + birth year
 *   nv           the same + village: catches a wrong or missing birth date
 *   nd           the same + district: catches a missing date with a missing or changed village
 *                (the largest blocks: ~470,000 people per district, a name pair ~1 in 10,000)
 *   sd           one name code + full birth date: catches a misspelt other name
 *   sv           one name code + village + birth year: the same when the date is year-only
 *   py           first 4 letters of both whole-name codes + birth year + sex: a typo late in a name
 *                (blocks of the most common prefixes, "jean"+"muka", reach a few hundred nationally)
 *   sc           one name code + cell + sex: a misspelt name with a missing or wrong birth date
 *                (~6,500 people per cell, half of one sex, a name code ~1 in 50 at most)
 *
 * Name codes are phonetic keys (phonetic-key.ts) of each name token and of each name part joined
 * ("Jean Baptiste" → also "Jeanbaptiste"), so spelling variants and merged names share codes.
 */
import { foldName, joinedName, nameTokens } from './normalise-name.ts';
import { phoneticKey } from './phonetic-key.ts';
import { normalisedNationalIds, normalisedPhones } from './comparators.ts';
import { parseBirthDate, type PersonRecord } from './person-record.ts';
import { withNationalIdFacts } from './match-pair.ts';

/** Phonetic key of the whole name part ("Jean de Dieu" → one code): rarer than its tokens ("jean"). */
function joinedCode(parts: readonly string[]): string | undefined {
  const joined = joinedName(parts);
  return joined.length >= 2 ? phoneticKey(joined) || undefined : undefined;
}

function codes(parts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of nameTokens(parts)) if (t.length >= 2) out.add(phoneticKey(t));
  const joined = joinedName(parts);
  if (joined.length >= 2) out.add(phoneticKey(joined));
  out.delete('');
  return [...out];
}

export function blockingKeys(record: PersonRecord): string[] {
  // a missing birth year or sex is read from a valid national ID, as when comparing
  const r = withNationalIdFacts(record);
  const keys = new Set<string>();
  for (const id of normalisedNationalIds(r)) {
    keys.add(`id1:${id.slice(0, 11)}`);
    keys.add(`id2:${id.slice(6)}`);
    keys.add(`id3:${id.slice(0, 6)}${id.slice(11)}`);
  }
  for (const p of normalisedPhones(r)) keys.add(`tel:${p}`);

  const birth = parseBirthDate(r.birthDate);
  const year = birth?.year;
  const fullDate = birth?.day !== undefined ? r.birthDate!.slice(0, 10) : undefined;
  const village = r.village ? foldName(r.village) : r.cell ? 'c:' + foldName(r.cell) : undefined;
  const cell = r.cell ? foldName(r.cell) + '|' + foldName(r.sector ?? '') : undefined;
  const district = r.district ? foldName(r.district) : undefined;
  const g = codes(r.given);
  const f = codes(r.family);
  for (const x of g) {
    for (const y of f) {
      if (x === y) continue;
      const pair = x < y ? `${x}+${y}` : `${y}+${x}`;
      if (year !== undefined) keys.add(`ny:${pair}|${year}`);
      if (village) keys.add(`nv:${pair}|${village}`);
      if (district) keys.add(`nd:${pair}|${district}`);
    }
  }
  const gj = joinedCode(r.given);
  const fj = joinedCode(r.family);
  if (gj && fj && year !== undefined) {
    const x = gj.slice(0, 4);
    const y = fj.slice(0, 4);
    keys.add(`py:${x < y ? x + '+' + y : y + '+' + x}|${year}|${r.sex ?? ''}`);
  }
  // Single-name keys use whole name parts and long tokens only: a key on "jean" or "marie" alone
  // would gather a tenth of a cell's men or women.
  // Long tokens (mostly Kinyarwanda names, far more diverse than French ones) are kept.
  const singles = new Set([joinedCode(r.given), joinedCode(r.family), ...g.filter((x) => x.length >= 6), ...f.filter((x) => x.length >= 6)].filter((x): x is string => x !== undefined));
  for (const x of singles) {
    if (fullDate) keys.add(`sd:${x}|${fullDate}`);
    if (village && year !== undefined) keys.add(`sv:${x}|${village}|${year}`);
    if (cell) keys.add(`sc:${x}|${cell}|${r.sex ?? ''}`);
  }
  return [...keys];
}

/** The kind of a key ('id1', 'tel', 'ny', …), for statistics per kind. */
export function blockingKeyKind(key: string): string {
  return key.slice(0, key.indexOf(':'));
}

/**
 * Candidate pairs of a batch of records via an in-memory key index (the registry service does the
 * same with an indexed table). Blocks larger than `maxBlockSize` are skipped: a key shared by
 * thousands (a clinic's phone written for every patient) says nothing about identity.
 */
export function candidatePairs(records: readonly PersonRecord[], maxBlockSize = 1000): { pairs: Array<[number, number]>; blocks: Map<string, number[]> } {
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const k of blockingKeys(r)) {
      const b = blocks.get(k);
      if (b) b.push(i);
      else blocks.set(k, [i]);
    }
  });
  const seen = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const n = records.length;
  for (const b of blocks.values()) {
    if (b.length < 2 || b.length > maxBlockSize) continue;
    for (let x = 0; x < b.length; x++) {
      for (let y = x + 1; y < b.length; y++) {
        const i = Math.min(b[x], b[y]);
        const j = Math.max(b[x], b[y]);
        const key = i * n + j;
        if (seen.has(key)) continue;
        seen.add(key);
        pairs.push([i, j]);
      }
    }
  }
  return { pairs, blocks };
}
