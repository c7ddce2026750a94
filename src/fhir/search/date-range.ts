/**
 * A FHIR date, dateTime or instant covers a period of time at its precision: "1980" is the whole
 * year. Search compares such periods (R4 §3.1.1.4.2), so values are stored and queried as
 * [low, high] with both ends inclusive, to the millisecond.
 */
export interface DateRange {
  low: Date;
  high: Date;
}

const pattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

export function parseDateRange(value: string): DateRange | undefined {
  const m = pattern.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const offsetMinutes = tz && tz !== 'Z' ? parseOffset(tz) : 0;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  if (mo && (month < 0 || month > 11)) return undefined;
  // 2021-02-30 is not a date: Date.UTC would quietly roll it over into March.
  if (d && (day < 1 || day > new Date(Date.UTC(year, month + 1, 0)).getUTCDate())) return undefined;
  if ((h && Number(h) > 23) || (mi && Number(mi) > 59) || (s && Number(s) > 60)) return undefined;
  if (tz && tz !== 'Z' && Math.abs(parseOffset(tz)) > 14 * 60) return undefined;
  const startFields = [year, month, day, h ? Number(h) : 0, mi ? Number(mi) : 0, s ? Number(s) : 0, frac ? Math.round(Number(frac) * 1000) : 0] as const;
  const low = Date.UTC(...startFields) - offsetMinutes * 60_000;
  let next: number;
  if (!mo) next = Date.UTC(year + 1, 0, 1);
  else if (!d) next = Date.UTC(year, month + 1, 1);
  else if (!h) next = Date.UTC(year, month, day + 1);
  else if (!mi) next = Date.UTC(...startFields) + 3_600_000;
  else if (!s) next = Date.UTC(...startFields) + 60_000;
  else if (!frac) next = Date.UTC(...startFields) + 1000;
  else next = Date.UTC(...startFields) + 1;
  if (h) next -= offsetMinutes * 60_000;
  return { low: new Date(low), high: new Date(next - 1) };
}

function parseOffset(tz: string): number {
  const sign = tz.startsWith('-') ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}
