import { jaroWinkler } from '@skyra/jaro-winkler';

/** The words every facility name carries (in English, French and Kinyarwanda): they say nothing about which facility it is. */
const generic = new Set([
  'health', 'centre', 'center', 'post', 'hospital', 'district', 'referral', 'provincial', 'clinic', 'polyclinic', 'hc', 'cs', 'hp', 'ps', 'dh',
  'centre', 'de', 'sante', 'poste', 'hopital', 'clinique', 'ikigo', 'nderabuzima', 'ibitaro', 'bya', 'akarere', 'the', 'of',
]);

/** A facility name reduced to what tells it apart: lower case, no accents, no generic words. */
export function coreName(name: string): string {
  const words = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const core = words.filter((w) => !generic.has(w));
  return (core.length > 0 ? core : words).join(' ');
}

/** Similar enough that two facilities a short distance apart are probably one. */
export function similarNames(a: string, b: string): boolean {
  const x = coreName(a);
  const y = coreName(b);
  if (x === '' || y === '') return false;
  if (x === y || x.includes(y) || y.includes(x)) return true;
  return jaroWinkler(x, y) >= 0.9;
}
