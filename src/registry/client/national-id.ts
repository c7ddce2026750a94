/**
 * Rwandan national identification numbers (NID, "indangamuntu").
 *
 * Structure, 16 digits:
 *
 *   S YYYY X NNNNNNN I CC
 *   │ │    │ │       │ └─ 2 check digits
 *   │ │    │ │       └─── issue count (how many cards were issued before this one: replacements)
 *   │ │    │ └─────────── 7-digit sequence
 *   │ │    └───────────── sex: 8 male, 7 female
 *   │ └────────────────── year of birth
 *   └──────────────────── status: 1 citizen, 2 refugee, 3 foreigner
 *
 * Check digits: NIDA does not publish the algorithm it uses for the last two digits. We use
 * ISO/IEC 7064 MOD 97-10 over the first 14 digits (the scheme IBAN uses): it is a published
 * standard, it yields exactly two decimal check digits, and it detects every single-digit error and
 * every transposition of adjacent digits. It is therefore a good stand-in for validating input and
 * for generating test data, but it is NOT the real NIDA algorithm: real national IDs may fail
 * `parseNationalId` on the check digits. Swap `mod97CheckDigits` once the real algorithm is known.
 */

export type NationalIdStatus = 'citizen' | 'refugee' | 'foreigner';
export type NationalIdSex = 'male' | 'female';

export interface NationalIdParts {
  status: NationalIdStatus;
  birthYear: number;
  sex: NationalIdSex;
  /** 0 … 9,999,999 */
  sequence: number;
  /** 0 … 9: number of cards issued to this person before this one. */
  issue: number;
}

/** Machine-readable reason; `message` carries the human-readable explanation. */
export type NationalIdError =
  | 'wrong-length'
  | 'non-digit'
  | 'bad-status'
  | 'impossible-birth-year'
  | 'bad-sex-digit'
  | 'bad-check-digits';

export type ParseNationalIdResult =
  | { ok: true; value: NationalIdParts }
  | { ok: false; reason: NationalIdError; message: string };

export interface ParseNationalIdOptions {
  /** The year against which "birth year in the future" is judged; defaults to the current UTC year. */
  currentYear?: number;
}

export const NATIONAL_ID_LENGTH = 16;
/** Birth years before this are rejected as impossible. */
export const MIN_BIRTH_YEAR = 1900;

const STATUS_BY_DIGIT: Record<string, NationalIdStatus> = { '1': 'citizen', '2': 'refugee', '3': 'foreigner' };
const DIGIT_BY_STATUS: Record<NationalIdStatus, string> = { citizen: '1', refugee: '2', foreigner: '3' };
const SEX_BY_DIGIT: Record<string, NationalIdSex> = { '8': 'male', '7': 'female' };
const DIGIT_BY_SEX: Record<NationalIdSex, string> = { male: '8', female: '7' };

/** Remainder of a decimal digit string modulo 97, computed digit by digit (no overflow). */
function mod97(digits: string): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % 97;
  return r;
}

/** ISO/IEC 7064 MOD 97-10 check digits (two characters) for a string of decimal digits. */
export function mod97CheckDigits(digits: string): string {
  const check = 98 - mod97(digits + '00');
  return check.toString().padStart(2, '0');
}

function fail(reason: NationalIdError, message: string): ParseNationalIdResult {
  return { ok: false, reason, message };
}

/**
 * Parses and validates a national ID given as exactly 16 digits (no spaces: use
 * `normalizeNationalId` first for user input such as "1 1990 8 0012345 0 12").
 */
export function parseNationalId(s: string, options: ParseNationalIdOptions = {}): ParseNationalIdResult {
  if (typeof s !== 'string' || s.length !== NATIONAL_ID_LENGTH) {
    const len = typeof s === 'string' ? s.length : 0;
    return fail('wrong-length', `a national ID has ${NATIONAL_ID_LENGTH} digits, got ${len} characters`);
  }
  if (!/^[0-9]{16}$/.test(s)) return fail('non-digit', 'a national ID contains only the digits 0-9');

  const status = STATUS_BY_DIGIT[s[0]];
  if (!status) return fail('bad-status', `status digit must be 1 (citizen), 2 (refugee) or 3 (foreigner), got ${s[0]}`);

  const birthYear = Number(s.slice(1, 5));
  const currentYear = options.currentYear ?? new Date().getUTCFullYear();
  if (birthYear < MIN_BIRTH_YEAR || birthYear > currentYear) {
    return fail('impossible-birth-year', `birth year ${birthYear} is not between ${MIN_BIRTH_YEAR} and ${currentYear}`);
  }

  const sex = SEX_BY_DIGIT[s[5]];
  if (!sex) return fail('bad-sex-digit', `sex digit must be 8 (male) or 7 (female), got ${s[5]}`);

  // MOD 97-10 validation: the whole number, check digits included, is congruent to 1 mod 97.
  if (mod97(s) !== 1) return fail('bad-check-digits', 'check digits do not match (ISO 7064 MOD 97-10)');

  return {
    ok: true,
    value: { status, birthYear, sex, sequence: Number(s.slice(6, 13)), issue: Number(s[13]) },
  };
}

/** Builds a valid national ID from its parts. Throws RangeError on out-of-range parts. */
export function makeNationalId(parts: NationalIdParts): string {
  const { status, birthYear, sex, sequence, issue } = parts;
  const statusDigit = DIGIT_BY_STATUS[status];
  if (!statusDigit) throw new RangeError(`unknown national ID status: ${String(status)}`);
  const sexDigit = DIGIT_BY_SEX[sex];
  if (!sexDigit) throw new RangeError(`unknown sex: ${String(sex)}`);
  if (!Number.isInteger(birthYear) || birthYear < MIN_BIRTH_YEAR || birthYear > 9999) {
    throw new RangeError(`birth year must be an integer from ${MIN_BIRTH_YEAR} to 9999, got ${birthYear}`);
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 9_999_999) {
    throw new RangeError(`sequence must be an integer from 0 to 9999999, got ${sequence}`);
  }
  if (!Number.isInteger(issue) || issue < 0 || issue > 9) {
    throw new RangeError(`issue count must be an integer from 0 to 9, got ${issue}`);
  }
  const body = statusDigit + String(birthYear) + sexDigit + String(sequence).padStart(7, '0') + String(issue);
  return body + mod97CheckDigits(body);
}

/** Removes the spaces, dots and hyphens people type or print inside a national ID. */
export function normalizeNationalId(s: string): string {
  return s.replace(/[\s.\-]/g, '');
}

/** The printed grouping, as on the card: "1 1990 8 0012345 0 12". Returns the input unchanged if not 16 characters. */
export function formatNationalId(s: string): string {
  if (s.length !== NATIONAL_ID_LENGTH) return s;
  return [s.slice(0, 1), s.slice(1, 5), s.slice(5, 6), s.slice(6, 13), s.slice(13, 14), s.slice(14)].join(' ');
}
