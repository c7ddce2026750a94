/**
 * The registry's view of a person for matching: only the fields that identify someone, already
 * pulled out of FHIR so that comparators never have to understand Patient resources.
 */
import { normalizeNationalId } from '../national-id.ts';

export const NATIONAL_ID_SYSTEM = 'https://moh.gov.rw/fhir/id/national-id';
const SECTOR_EXT = 'https://moh.gov.rw/fhir/StructureDefinition/address-sector';
const CELL_EXT = 'https://moh.gov.rw/fhir/StructureDefinition/address-cell';
const VILLAGE_EXT = 'https://moh.gov.rw/fhir/StructureDefinition/address-village';

export type PersonSex = 'male' | 'female' | 'other' | 'unknown';

export interface PersonRecord {
  id: string;
  /** All given names, as written. */
  given: string[];
  /** Family names, as written. */
  family: string[];
  /** 'YYYY' | 'YYYY-MM' | 'YYYY-MM-DD' */
  birthDate?: string;
  sex?: PersonSex;
  /** Any format; comparators normalise to +2507XXXXXXXX. */
  phones: string[];
  /** 16-digit Rwandan national IDs. */
  nationalIds: string[];
  otherIds: { system: string; value: string }[];
  village?: string;
  cell?: string;
  sector?: string;
  district?: string;
}

/**
 * Rwandan phone numbers as +2507XXXXXXXX, or undefined when the input cannot be one. Clerks write
 * 0788123456, 788 123 456, 250788123456 and +250 788 123 456 for the same number.
 */
export function normalisePhone(raw: string): string | undefined {
  let d = raw.replace(/\D/g, '');
  if (d.startsWith('00250')) d = d.slice(5);
  else if (d.startsWith('250') && d.length === 12) d = d.slice(3);
  if (d.length === 10 && d.startsWith('0')) d = d.slice(1);
  if (d.length !== 9 || !d.startsWith('7')) return undefined;
  return '+250' + d;
}

/** National IDs as 16 digits, or undefined when the input has the wrong shape (check digits are NOT verified: a typo must still be comparable). */
export function normaliseNationalIdForMatch(raw: string): string | undefined {
  const d = normalizeNationalId(raw);
  return /^[0-9]{16}$/.test(d) ? d : undefined;
}

export interface BirthDateParts {
  year: number;
  month?: number;
  day?: number;
}

export function parseBirthDate(s: string | undefined): BirthDateParts | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(s);
  if (!m) return undefined;
  return { year: Number(m[1]), month: m[2] ? Number(m[2]) : undefined, day: m[3] ? Number(m[3]) : undefined };
}

function extString(ext: unknown, url: string): string | undefined {
  if (!Array.isArray(ext)) return undefined;
  const e = ext.find((x) => x && typeof x === 'object' && (x as { url?: unknown }).url === url) as { valueString?: unknown } | undefined;
  return typeof e?.valueString === 'string' && e.valueString.trim() ? e.valueString.trim() : undefined;
}

function pickName(names: unknown): { given?: unknown; family?: unknown; text?: unknown } | undefined {
  if (!Array.isArray(names) || names.length === 0) return undefined;
  return (names.find((n) => n?.use === 'official') ?? names.find((n) => n?.use !== 'old') ?? names[0]) as never;
}

/** FHIR R4 Patient → PersonRecord. Tolerates missing or malformed parts: a registry must accept what facilities send. */
export function personFromPatient(patient: any): PersonRecord {
  const name = pickName(patient?.name);
  const given = Array.isArray(name?.given) ? name.given.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : [];
  const family = typeof name?.family === 'string' && name.family.trim() ? [name.family.trim()] : [];

  const phones: string[] = [];
  for (const t of Array.isArray(patient?.telecom) ? patient.telecom : []) {
    if (t?.system === 'phone' && typeof t.value === 'string' && !phones.includes(t.value)) phones.push(t.value);
  }
  const nationalIds: string[] = [];
  const otherIds: { system: string; value: string }[] = [];
  for (const id of Array.isArray(patient?.identifier) ? patient.identifier : []) {
    if (typeof id?.value !== 'string' || !id.value) continue;
    if (id.system === NATIONAL_ID_SYSTEM) {
      const v = normaliseNationalIdForMatch(id.value) ?? id.value;
      if (!nationalIds.includes(v)) nationalIds.push(v);
    } else if (typeof id.system === 'string') otherIds.push({ system: id.system, value: id.value });
  }

  const addresses = Array.isArray(patient?.address) ? patient.address : [];
  const address = addresses.find((a: { use?: string }) => a?.use === 'home') ?? addresses[0];
  const sex = patient?.gender;
  const record: PersonRecord = {
    id: typeof patient?.id === 'string' ? patient.id : '',
    given,
    family,
    phones,
    nationalIds,
    otherIds,
  };
  if (typeof patient?.birthDate === 'string' && parseBirthDate(patient.birthDate)) record.birthDate = patient.birthDate;
  if (sex === 'male' || sex === 'female' || sex === 'other' || sex === 'unknown') record.sex = sex;
  const village = extString(address?.extension, VILLAGE_EXT);
  const cell = extString(address?.extension, CELL_EXT);
  const sector = extString(address?.extension, SECTOR_EXT);
  if (village) record.village = village;
  if (cell) record.cell = cell;
  if (sector) record.sector = sector;
  if (typeof address?.district === 'string' && address.district.trim()) record.district = address.district.trim();
  return record;
}
