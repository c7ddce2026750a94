/**
 * Date helpers for the seed data. Rwanda is on Central Africa Time, UTC+02:00, without daylight
 * saving, so every dateTime is written with a fixed "+02:00" offset.
 */

export const DAY_MS = 86_400_000;
export const YEAR_DAYS = 365.25;
const CAT_OFFSET_MS = 2 * 3_600_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Midnight (Kigali time) at the start of a 'YYYY-MM-DD' date, as epoch milliseconds. */
export function parseLocalDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got ${date}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - CAT_OFFSET_MS;
}

function localParts(ms: number): Date {
  return new Date(ms + CAT_OFFSET_MS);
}

/** FHIR date 'YYYY-MM-DD' in Kigali time. */
export function fhirDate(ms: number): string {
  const d = localParts(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** FHIR dateTime with seconds and the +02:00 offset. */
export function fhirDateTime(ms: number): string {
  const d = localParts(ms);
  return `${fhirDate(ms)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+02:00`;
}

/** The calendar year in Kigali time. */
export function localYear(ms: number): number {
  return localParts(ms).getUTCFullYear();
}

/** Midnight (Kigali time) of the day containing `ms`. */
export function startOfLocalDay(ms: number): number {
  return Math.floor((ms + CAT_OFFSET_MS) / DAY_MS) * DAY_MS - CAT_OFFSET_MS;
}

/** Whole years from birth to `at` (what a clinician would call the age). */
export function ageInYears(birthMs: number, at: number): number {
  const b = localParts(birthMs);
  const a = localParts(at);
  let age = a.getUTCFullYear() - b.getUTCFullYear();
  if (a.getUTCMonth() < b.getUTCMonth() || (a.getUTCMonth() === b.getUTCMonth() && a.getUTCDate() < b.getUTCDate())) age--;
  return age;
}
