/**
 * Name normalisation. Clerks write the same name with and without accents, hyphens, capitals,
 * initials ("J. Baptiste") and spaces ("Jean Baptiste" / "Jeanbaptiste"), so comparators work on
 * lower-case ASCII tokens and compare both the tokens and their concatenation.
 */

/** Lower-case ASCII letters only; accents are dropped (Théogène → theogene). */
export function foldName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** Tokens of a list of name strings: "Jean-Baptiste", "J. Baptiste" → ["jean", "baptiste"], ["j", "baptiste"]. */
export function nameTokens(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    for (const raw of p.split(/[\s\-'’.,_/]+/)) {
      const t = foldName(raw);
      if (t) out.push(t);
    }
  }
  return out;
}

/** The whole name part as one string without separators, so that merged and split forms compare equal. */
export function joinedName(parts: readonly string[]): string {
  return nameTokens(parts).join('');
}
