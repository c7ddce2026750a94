/**
 * Rwandan personal names and Kinyarwanda-like place names for synthetic data.
 *
 * Naming in Rwanda: a person's Kinyarwanda name is personal, given by the parents, and is NOT
 * inherited: siblings and parents usually all have different ones. It is what official records
 * write first, in capitals ("UWIMANA Marie Claire"), and what FHIR `HumanName.family` holds here;
 * `given` holds the French/Christian name(s) and sometimes a second Kinyarwanda name.
 */
import type { Rng } from './prng.ts';

export type Sex = 'male' | 'female';

/** Kinyarwanda names mostly given to boys. */
const KINYARWANDA_MALE = [
  'Habimana', 'Hakizimana', 'Nshimiyimana', 'Bizimana', 'Nkurunziza', 'Kalisa', 'Gatete', 'Mugisha',
  'Ndayisaba', 'Niyitegeka', 'Nsengiyumva', 'Twagirayezu', 'Munyaneza', 'Rukundo', 'Manzi', 'Mugabo',
  'Ntwari', 'Gasana', 'Karangwa', 'Habyarimana', 'Hategekimana', 'Niyibizi', 'Byiringiro', 'Mutabazi',
  'Sibomana', 'Nzeyimana', 'Hitimana', 'Kayitare', 'Rwigema', 'Ndagijimana', 'Nsabimana', 'Shyaka',
  'Mucyo', 'Cyusa', 'Ganza', 'Kwizera', 'Shema', 'Ntirenganya', 'Niyomugabo', 'Bayingana', 'Rutayisire',
  'Mbarushimana', 'Ndikumana', 'Tuyisenge', 'Nsanzimana', 'Uwizeyimana', 'Harerimana', 'Semana',
] as const;

/** Kinyarwanda names mostly given to girls. */
const KINYARWANDA_FEMALE = [
  'Mukamana', 'Uwase', 'Ingabire', 'Niyonsaba', 'Umutoni', 'Mutesi', 'Uwera', 'Mukeshimana',
  'Mukandayisenga', 'Nyiramana', 'Uwamahoro', 'Umuhoza', 'Uwamariya', 'Mukarugwiza', 'Nyirahabimana',
  'Uwineza', 'Keza', 'Teta', 'Gatesi', 'Kampire', 'Murekatete', 'Uwimbabazi', 'Akimana', 'Mahoro',
  'Umurerwa', 'Nyiransabimana', 'Ineza', 'Kirezi', 'Mukansanga', 'Uwamwezi', 'Nyirabagenzi', 'Umulisa',
  'Mukantwari', 'Uwanyirigira', 'Umwali', 'Mukashyaka', 'Nyiraneza', 'Uwingabire',
] as const;

/** Kinyarwanda names given to boys and girls alike. */
const KINYARWANDA_ANY = [
  'Uwimana', 'Niyonzima', 'Ishimwe', 'Iradukunda', 'Tuyishime', 'Irakoze', 'Mugiraneza', 'Igiraneza',
  'Ndayishimiye', 'Twizerimana', 'Uwizeye', 'Niyigena', 'Nishimwe', 'Imanishimwe', 'Byukusenge',
  'Dusabimana', 'Tuyizere', 'Nsengimana', 'Umugwaneza', 'Hirwa', 'Ikirezi', 'Uwitonze',
] as const;

/** French / Christian given names (compound names such as "Jean de Dieu" are one given name). */
const FRENCH_MALE = [
  'Jean', 'Claude', 'Emmanuel', 'Eric', 'Jean de Dieu', 'Jean Bosco', 'Olivier', 'Jean Pierre',
  'Jean Claude', 'Jean Paul', 'Jean Baptiste', 'Patrick', 'Innocent', 'Théogène', 'Fidèle', 'Valens',
  'Alphonse', 'Augustin', 'Célestin', 'Jean Damascène', 'Faustin', 'Félicien', 'Gilbert', 'Védaste',
  'Samuel', 'David', 'Yves', 'Didier', 'Aimable', 'Evariste', 'Joseph', 'Janvier', 'Anastase',
  'Eugène', 'Pacifique', 'Théoneste', 'Fabrice', 'Kevin', 'Cédric', 'Moïse', 'Daniel', 'Gérard',
] as const;

const FRENCH_FEMALE = [
  'Marie', 'Aline', 'Divine', 'Chantal', 'Josiane', 'Claudine', 'Jeanne', 'Marie Claire', 'Espérance',
  'Alice', 'Agnès', 'Béatrice', 'Clémentine', 'Consolée', 'Delphine', 'Grace', 'Immaculée',
  'Jacqueline', 'Louise', 'Odette', 'Solange', 'Vestine', 'Yvonne', 'Sandrine', 'Diane', 'Francine',
  'Vanessa', 'Gloria', 'Liliane', 'Angélique', 'Florence', 'Christine', 'Marie Louise', 'Joséphine',
  'Pascasie', 'Vénantie', 'Clarisse', 'Denise', 'Ange', 'Belyse', 'Providence', 'Pacifique',
] as const;

function kinyarwandaNames(sex: Sex): readonly string[] {
  return sex === 'male' ? [...KINYARWANDA_MALE, ...KINYARWANDA_ANY] : [...KINYARWANDA_FEMALE, ...KINYARWANDA_ANY];
}

const KINYA_BY_SEX: Record<Sex, readonly string[]> = { male: kinyarwandaNames('male'), female: kinyarwandaNames('female') };
const FRENCH_BY_SEX: Record<Sex, readonly string[]> = { male: FRENCH_MALE, female: FRENCH_FEMALE };

export interface PersonName {
  /** The Kinyarwanda name (HumanName.family). */
  family: string;
  /** French/Christian and/or a second Kinyarwanda name. */
  given: string[];
}

/**
 * A Rwandan name. `birthYear` shifts the style: younger people more often have a second
 * Kinyarwanda name instead of a French one. `avoidFamily` names are never used as the family name
 * (e.g. the mother's: children do not inherit their parents' names).
 */
export function rwandanName(rng: Rng, sex: Sex, birthYear: number, avoidFamily: readonly string[] = []): PersonName {
  const kinya = KINYA_BY_SEX[sex];
  let family = rng.pick(kinya);
  for (let tries = 0; avoidFamily.includes(family) && tries < 50; tries++) family = rng.pick(kinya);
  if (avoidFamily.includes(family)) family = kinya.find((n) => !avoidFamily.includes(n)) ?? family;

  const young = birthYear >= 1995;
  const style = rng.weighted<'french' | 'french+kinya' | 'kinya'>([
    ['french', young ? 45 : 70],
    ['french+kinya', young ? 20 : 20],
    ['kinya', young ? 35 : 10],
  ]);
  const given: string[] = [];
  if (style !== 'kinya') given.push(rng.pick(FRENCH_BY_SEX[sex]));
  if (style !== 'french') {
    let second = rng.pick(kinya);
    for (let tries = 0; second === family && tries < 20; tries++) second = rng.pick(kinya);
    given.push(second);
  }
  return { family, given };
}

// ---- place names -----------------------------------------------------------------------------

const PLACE_PREFIXES = ['Ki', 'Ru', 'Nya', 'Gi', 'Mu', 'Ka', 'Bu', 'Ga', 'Rwa', 'Ma', 'Cya', 'Kinya', 'Mbu', 'Nyaka', 'Rusha', 'Gatu', 'Bwi', 'Mwi'];
const PLACE_SYLLABLES = [
  'ba', 'bo', 'bu', 'ga', 'ge', 'gi', 'go', 'gu', 'ha', 'hi', 'ho', 'ka', 'ki', 'ko', 'ku', 'ma', 'mi',
  'mu', 'na', 'ne', 'ni', 'no', 'ra', 're', 'ri', 'ro', 'ru', 'sa', 'se', 'shi', 'sho', 'ta', 'te',
  'ti', 'to', 'tu', 'ya', 'ye', 'yo', 'za', 'zi', 'nga', 'ngo', 'ngu', 'mba', 'mbo', 'nda', 'ndi', 'nza',
  'nzi', 'rwa', 'bwa', 'gwa', 'mbu', 'nyi', 'nyo', 'cyi', 'shyi', 'ramba', 'vu', 'zo',
];
const PLACE_ENDINGS = ['ro', 'ra', 'nga', 'ngo', 'mba', 'nda', 'ndo', 'nzi', 'ye', 'wa', 'bi', 'ke', 'ni', 'mo', 'ge', 'zi'];

/** A Kinyarwanda-like place name, e.g. "Kigarama", "Rubengera", "Nyamirambo". */
export function placeName(rng: Rng): string {
  let name = rng.pick(PLACE_PREFIXES);
  const middle = rng.weighted([[0, 1], [1, 5], [2, 3]] as const);
  for (let i = 0; i < middle; i++) name += rng.pick(PLACE_SYLLABLES);
  // every piece ends on a vowel, like Kinyarwanda words; endings add some variety
  if (middle === 0 || rng.chance(0.3)) name += rng.pick(PLACE_ENDINGS);
  return name;
}

/** `count` distinct place names, none of them in `taken` (which is updated). */
export function distinctPlaceNames(rng: Rng, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const n = placeName(rng);
    if (taken.has(n) || n.length > 14) continue;
    taken.add(n);
    out.push(n);
  }
  return out;
}
