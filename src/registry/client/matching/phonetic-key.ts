/**
 * A phonetic key for Rwandan names: Kinyarwanda names written by French- and English-schooled
 * clerks, and French Christian names written by Kinyarwanda speakers.
 *
 * Why not Soundex or Double Metaphone: they encode English, keep only the first letters or a few
 * consonants (all "Mu…" / "Ny…" names collapse), and do not know the variations that occur here:
 *   - r and l are one phoneme in Kinyarwanda (Kalisa / Karisa, Umulisa / Umurisa);
 *   - c, k, ch and q sound alike in many spellings (Claude / Klaude, Mucyo / Muchyo);
 *   - soft c is s in French (Célestin / Selestin); ph is f, th is t, qu is k;
 *   - y and i interchange (Niyonsaba / Nionsaba, Yvonne / Ivonne), and y after a consonant is
 *     often dropped (Nyiramana / Niramana, Shyaka / Shaka);
 *   - doubled letters come and go (Uwimana / Uwimanna, Mukamaana);
 *   - French vowel spellings: ou = u, au/eau = o, ai/ei = e; h is silent in French.
 * The key keeps every vowel and the order of sounds, so that distinct names with a shared prefix
 * (Niyonsaba / Niyonsenga) keep distinct keys.
 */
import { foldName } from './normalise-name.ts';

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

export function phoneticKey(name: string): string {
  let s = foldName(name);
  if (!s) return '';
  s = s
    .replace(/eau/g, 'o')
    .replace(/au/g, 'o')
    .replace(/ou/g, 'u')
    .replace(/[ae]i(?=[^aeiou]|$)/g, 'e')
    .replace(/ph/g, 'f')
    .replace(/th/g, 't')
    .replace(/qu/g, 'k')
    .replace(/q/g, 'k')
    .replace(/sch|sh/g, 'x')
    .replace(/tch|ch|ck/g, 'k')
    .replace(/c(?=[ei])/g, 's')
    .replace(/c/g, 'k')
    .replace(/gu(?=[ei])/g, 'g')
    .replace(/l/g, 'r')
    .replace(/nb/g, 'mb')
    .replace(/h/g, '');
  // y: a consonant before y keeps its sound without it; elsewhere y is i.
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === 'y') {
      const prev = out[out.length - 1];
      if (prev !== undefined && !VOWELS.has(prev)) continue;
      out += 'i';
    } else out += ch;
  }
  // doubled letters (also those produced by the rules above)
  return out.replace(/(.)\1+/g, '$1');
}
