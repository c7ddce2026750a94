import { timeZone } from '../time.ts';
import type { Address, CodeableConcept, HumanName, Period, Reference } from './types.ts';

/** The Intl locale for an app language; Kinyarwanda falls back to numeric dates where ICU lacks it. */
export function intlLocale(language: string): string {
  switch (language) {
    case 'fr': return 'fr-RW';
    case 'rw': return 'rw-RW';
    default: return 'en-RW';
  }
}

function hasLocaleData(locale: string): boolean {
  return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
}

export function formatDateTime(iso: string | undefined, language: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = intlLocale(language);
  const options: Intl.DateTimeFormatOptions = hasLocaleData(locale)
    ? { dateStyle: 'medium', timeStyle: 'short', timeZone }
    : { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
  return new Intl.DateTimeFormat(hasLocaleData(locale) ? locale : 'en-GB', options).format(date);
}

/** A FHIR date (yyyy, yyyy-mm, yyyy-mm-dd) or dateTime shown as a calendar date. */
export function formatDate(value: string | undefined, language: string): string {
  if (!value) return '';
  if (/^\d{4}$/.test(value) || /^\d{4}-\d{2}$/.test(value)) return value;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  const locale = intlLocale(language);
  const known = hasLocaleData(locale);
  return new Intl.DateTimeFormat(known ? locale : 'en-GB', known ? { dateStyle: 'medium', timeZone } : { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }).format(date);
}

export function formatPeriod(period: Period | undefined, language: string): string {
  if (!period) return '';
  const start = formatDate(period.start, language);
  const end = formatDate(period.end, language);
  if (start && end) return `${start} – ${end}`;
  return start ? `${start} –` : end ? `– ${end}` : '';
}

export function formatName(name: HumanName | undefined): string {
  if (!name) return '';
  if (name.text) return name.text;
  return [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])].filter(Boolean).join(' ');
}

/** The name to show: the official one if there is one, else the first. */
export function displayName(names: HumanName[] | undefined): string {
  if (!names?.length) return '';
  return formatName(names.find((n) => n.use === 'official' && !n.period?.end) ?? names[0]);
}

export function formatAddress(address: Address): string {
  if (address.text) return address.text;
  const named = (suffix: string) => address.extension?.find((e) => e.url.endsWith(suffix))?.valueString;
  return [
    ...(address.line ?? []),
    named('address-village'),
    named('address-cell'),
    named('address-sector'),
    address.district,
    address.city,
    address.state,
    address.postalCode,
    address.country === 'RW' ? 'Rwanda' : address.country,
  ].filter((part, index, all) => part && all.indexOf(part) === index).join(', ');
}

export function conceptText(concept: CodeableConcept | undefined): string {
  if (!concept) return '';
  return concept.text ?? concept.coding?.find((c) => c.display)?.display ?? concept.coding?.find((c) => c.code)?.code ?? '';
}

export function referenceText(reference: Reference | undefined): string {
  if (!reference) return '';
  return reference.display ?? reference.reference ?? reference.identifier?.value ?? '';
}

/** A short day-and-month label (chart axes). */
export function formatDayMonth(value: string, language: string): string {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  const locale = intlLocale(language);
  const known = hasLocaleData(locale);
  return new Intl.DateTimeFormat(known ? locale : 'en-GB', known ? { day: 'numeric', month: 'short', timeZone } : { day: '2-digit', month: '2-digit', timeZone }).format(date);
}
