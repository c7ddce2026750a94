/**
 * Extra names for synthetic matching data, on top of src/seed/names.ts: with only the seed's
 * lists, far more unrelated people share a full name than in a real population, which would make
 * the benchmark measure name collisions rather than matching.
 */
export const EXTRA_KINYARWANDA = [
  'Mugwaneza', 'Nkundimana', 'Bimenyimana', 'Ntakirutimana', 'Habiyaremye', 'Hakuzimana', 'Nizeyimana',
  'Nsengiyaremye', 'Ngendahimana', 'Mukeshimana', 'Murenzi', 'Rugamba', 'Gakwaya', 'Gatera', 'Kamanzi',
  'Kabera', 'Kanamugire', 'Karekezi', 'Ruhumuriza', 'Rwagasana', 'Sebahire', 'Semuhungu', 'Twahirwa',
  'Uwamungu', 'Uzabakiriho', 'Bizumuremyi', 'Dusengimana', 'Hagenimana', 'Havugimana', 'Iyamuremye',
  'Kubwimana', 'Majyambere', 'Mbonigaba', 'Mfitumukiza', 'Munyakazi', 'Musabyimana', 'Ndahayo',
  'Ndizeye', 'Ngabonziza', 'Niyodusenga', 'Nkurikiyimana', 'Nsengumuremyi', 'Ntawukuriryayo',
  'Nyandwi', 'Rudasingwa', 'Rukundo', 'Sindayigaya', 'Tuyishimire', 'Twagiramungu', 'Uwayezu',
  'Uwamahirwe', 'Mukamurenzi', 'Nyirabahire', 'Mukandori', 'Uwacu', 'Umubyeyi', 'Nikuze', 'Nirere',
  'Mukamazimpaka', 'Nyiransengimana', 'Uwiringiyimana', 'Mukabaranga', 'Nyirandikubwimana', 'Ayinkamiye',
  'Ntamuhanga', 'Bazambanza', 'Hategeka', 'Mugiraneza', 'Nduwayezu', 'Niyoyita', 'Sugira', 'Iribagiza',
] as const;

export const EXTRA_FRENCH_MALE = [
  'Anaclet', 'Apollinaire', 'Bonaventure', 'Callixte', 'Damien', 'Déogratias', 'Etienne', 'Félix',
  'François Xavier', 'Gaspard', 'Hubert', 'Ildephonse', 'Jean Marie Vianney', 'Laurent', 'Léonard',
  'Martin', 'Narcisse', 'Oscar', 'Prosper', 'Sylvestre', 'Straton', 'Thacien', 'Viateur', 'Wellars',
] as const;

export const EXTRA_FRENCH_FEMALE = [
  'Annonciata', 'Bernadette', 'Colette', 'Dancille', 'Donatille', 'Epiphanie', 'Francoise', 'Gaudence',
  'Henriette', 'Jacqueline', 'Léocadie', 'Marie Goretti', 'Marthe', 'Médiatrice', 'Pélagie',
  'Philomène', 'Rose', 'Scholastique', 'Speciose', 'Thérèse', 'Valérie', 'Winnie', 'Zawadi', 'Marie Chantal',
] as const;

/**
 * Many Kinyarwanda names are a short phrase: a prefix (Niyo- "it is he who", Uwi- "the one of",
 * Muka- "wife of", Nyira- "mother of", Twagira- "we have", Habi- "there is" …) and a stem, often
 * Imana (God). Combining real prefixes and stems gives the long tail of rare names a population
 * has, including the near-misses that must NOT match (Niyonsaba / Niyonsenga).
 */
const PREFIXES = [
  'Niyo', 'Uwi', 'Muka', 'Nyira', 'Twagira', 'Habi', 'Hakizi', 'Nsengi', 'Ndayi', 'Bizi', 'Mugi', 'Iradu',
  'Tuyi', 'Nshimi', 'Dusabi', 'Uwama', 'Ntaki', 'Nzeyi', 'Hagengi', 'Ngendahi', 'Uzamu', 'Ishimwe', 'Habiya', 'Mbonyi',
] as const;
const STEMS = [
  'mana', 'nzima', 'nsaba', 'nsenga', 'kunda', 'hirwa', 'yezu', 'muremyi', 'tegeka', 'gira', 'ringiro',
  'shimiye', 'mahoro', 'rukundo', 'kuze', 'neza', 'gena', 'remye', 'zera', 'buntu', 'mwiza', 'sanga',
] as const;

export function compoundKinyarwandaName(rng: { pick<T>(items: readonly T[]): T }): string {
  const prefix = rng.pick(PREFIXES);
  const stem = rng.pick(STEMS);
  return prefix + (/[aeiou]$/.test(prefix) && /^[aeiou]/.test(stem) ? stem.slice(1) : stem);
}
