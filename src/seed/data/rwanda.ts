/**
 * Facts about Rwanda's 30 districts that the demo generator and the workforce planner need:
 * population (Fifth Population and Housing Census 2022, NISR, district totals as transcribed from
 * the census's main indicators; check them against NISR's tables before using them for planning),
 * an approximate centroid, and the district hospital's usual name.
 * Positions are approximate centroids for placing generated facilities, not survey data.
 */
export interface DistrictFacts {
  population: number;
  lat: number;
  long: number;
  /** Name the district hospital is known by ("Kibagabaga" → "Kibagabaga District Hospital"). */
  hospital: string;
}

export const DISTRICT_FACTS: Readonly<Record<string, DistrictFacts>> = {
  Nyarugenge: { population: 374_319, lat: -1.95, long: 30.05, hospital: 'Muhima' },
  Gasabo: { population: 879_505, lat: -1.88, long: 30.13, hospital: 'Kibagabaga' },
  Kicukiro: { population: 491_731, lat: -1.99, long: 30.12, hospital: 'Masaka' },
  Burera: { population: 387_729, lat: -1.47, long: 29.83, hospital: 'Butaro' },
  Gakenke: { population: 352_356, lat: -1.7, long: 29.78, hospital: 'Nemba' },
  Gicumbi: { population: 448_824, lat: -1.58, long: 30.07, hospital: 'Byumba' },
  Musanze: { population: 476_522, lat: -1.5, long: 29.63, hospital: 'Ruhengeri' },
  Rulindo: { population: 350_933, lat: -1.73, long: 30.0, hospital: 'Rutongo' },
  Gisagara: { population: 397_051, lat: -2.6, long: 29.83, hospital: 'Kibilizi' },
  Huye: { population: 381_900, lat: -2.6, long: 29.74, hospital: 'Kabutare' },
  Kamonyi: { population: 460_728, lat: -2.0, long: 29.9, hospital: 'Remera-Rukoma' },
  Muhanga: { population: 358_433, lat: -2.08, long: 29.75, hospital: 'Kabgayi' },
  Nyamagabe: { population: 371_501, lat: -2.47, long: 29.5, hospital: 'Kigeme' },
  Nyanza: { population: 365_718, lat: -2.35, long: 29.75, hospital: 'Nyanza' },
  Nyaruguru: { population: 318_126, lat: -2.7, long: 29.55, hospital: 'Munini' },
  Ruhango: { population: 359_121, lat: -2.22, long: 29.78, hospital: 'Ruhango' },
  Bugesera: { population: 551_103, lat: -2.23, long: 30.2, hospital: 'Nyamata' },
  Gatsibo: { population: 551_264, lat: -1.58, long: 30.45, hospital: 'Kiziguro' },
  Kayonza: { population: 457_156, lat: -1.9, long: 30.5, hospital: 'Rwinkwavu' },
  Kirehe: { population: 460_860, lat: -2.27, long: 30.65, hospital: 'Kirehe' },
  Ngoma: { population: 403_662, lat: -2.17, long: 30.47, hospital: 'Kibungo' },
  Nyagatare: { population: 653_861, lat: -1.3, long: 30.33, hospital: 'Nyagatare' },
  Rwamagana: { population: 484_953, lat: -1.95, long: 30.43, hospital: 'Rwamagana' },
  Karongi: { population: 375_614, lat: -2.07, long: 29.4, hospital: 'Kibuye' },
  Ngororero: { population: 367_955, lat: -1.87, long: 29.58, hospital: 'Muhororo' },
  Nyabihu: { population: 319_047, lat: -1.65, long: 29.5, hospital: 'Shyira' },
  Nyamasheke: { population: 434_283, lat: -2.33, long: 29.12, hospital: 'Kibogora' },
  Rubavu: { population: 546_683, lat: -1.7, long: 29.33, hospital: 'Gisenyi' },
  Rusizi: { population: 485_529, lat: -2.48, long: 28.93, hospital: 'Gihundwe' },
  Rutsiro: { population: 369_180, lat: -1.93, long: 29.33, hospital: 'Murunda' },
};

/** The national referral and university teaching hospitals. */
export const REFERRAL_HOSPITALS: ReadonlyArray<{
  code: string;
  name: string;
  alias: string[];
  district: string;
  lat: number;
  long: number;
  roleCode: 'HOSP' | 'GACH' | 'MHSP';
}> = [
  { code: 'chuk', name: 'University Teaching Hospital of Kigali', alias: ['CHUK', 'Centre Hospitalier Universitaire de Kigali'], district: 'Nyarugenge', lat: -1.9536, long: 30.0606, roleCode: 'GACH' },
  { code: 'kfh', name: 'King Faisal Hospital', alias: ['KFH'], district: 'Gasabo', lat: -1.9441, long: 30.0937, roleCode: 'GACH' },
  { code: 'rmh', name: 'Rwanda Military Hospital', alias: ['RMH', 'Kanombe Military Hospital'], district: 'Kicukiro', lat: -1.9665, long: 30.1334, roleCode: 'MHSP' },
  { code: 'chub', name: 'University Teaching Hospital of Butare', alias: ['CHUB', 'Centre Hospitalier Universitaire de Butare'], district: 'Huye', lat: -2.5967, long: 29.7394, roleCode: 'GACH' },
];

/** Rwanda's bounding box (WGS84). */
export const RWANDA_BOUNDS = { latMin: -2.84, latMax: -1.05, longMin: 28.86, longMax: 30.9 } as const;

/** Relative malaria burden by province (the east and south carry most cases; the northern highlands few). */
export const MALARIA_FACTOR_BY_PROVINCE: Readonly<Record<string, number>> = {
  'Kigali City': 1,
  'Northern Province': 0.5,
  'Southern Province': 1.3,
  'Eastern Province': 2,
  'Western Province': 0.8,
};

/** Districts hosting refugee camps (Mahama, Kiziba, Kigeme, Mugombwa, Nyabiheke). */
export const REFUGEE_HOSTING_DISTRICTS: ReadonlySet<string> = new Set(['Kirehe', 'Karongi', 'Nyamagabe', 'Gisagara', 'Gatsibo']);
