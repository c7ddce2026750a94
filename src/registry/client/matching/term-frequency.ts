/**
 * Term-frequency adjustment of name weights: agreeing on "Jean" or "Mukamana" happens by chance
 * far more often than agreeing on "Uzabakiriho", yet the plain model gives every exact name
 * agreement the same u. With frequencies, the u of an exact or phonetic agreement is the share of
 * records carrying that very name (as Splink's term-frequency adjustments do). Namesakes with
 * common names are what most remaining false links are made of.
 */
import { joinedName } from './normalise-name.ts';
import { phoneticKey } from './phonetic-key.ts';
import type { PersonRecord } from './person-record.ts';

export interface NameFrequencies {
  /** Share of records whose given names (joined) have this phonetic key. */
  given: Record<string, number>;
  family: Record<string, number>;
  /** Records counted: frequencies below 1/records cannot be measured. */
  records: number;
}

export function nameCode(parts: readonly string[]): string {
  return phoneticKey(joinedName(parts));
}

export function estimateNameFrequencies(records: readonly PersonRecord[]): NameFrequencies {
  const given = new Map<string, number>();
  const family = new Map<string, number>();
  for (const r of records) {
    const g = nameCode(r.given);
    const f = nameCode(r.family);
    if (g) given.set(g, (given.get(g) ?? 0) + 1);
    if (f) family.set(f, (family.get(f) ?? 0) + 1);
  }
  const n = Math.max(1, records.length);
  const share = (m: Map<string, number>) => Object.fromEntries([...m].map(([k, c]) => [k, c / n]));
  return { given: share(given), family: share(family), records: records.length };
}

/**
 * u for an agreement on this name: its frequency, floored at one record in the counted
 * population (a name seen once is not known to be rarer than that). Undefined when the table does
 * not know the name (then the model's average u applies).
 */
export function termU(freq: NameFrequencies, part: 'given' | 'family', code: string): number | undefined {
  const f = freq[part][code];
  if (f === undefined) return undefined;
  return Math.max(f, 1 / Math.max(1, freq.records));
}
