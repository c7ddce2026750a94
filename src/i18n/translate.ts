import en from './en.json' with { type: 'json' };
import fr from './fr.json' with { type: 'json' };
import rw from './rw.json' with { type: 'json' };

export const languages = ['en', 'fr', 'rw'] as const;
export type Language = (typeof languages)[number];
export type MessageKey = keyof typeof en;

const catalogs: Record<Language, Record<string, string>> = { en, fr, rw };

/** The server's user-facing text (login and consent pages), from the en/fr/rw catalogs. */
export function translate(language: Language, key: MessageKey, values: Record<string, string> = {}): string {
  const template = catalogs[language][key] ?? en[key];
  return template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => values[name] ?? '');
}

/** The language to answer in: an explicit choice (?lang= or ui_locales) first, then Accept-Language, then English. */
export function pickLanguage(explicit: string | undefined, acceptLanguage: string | undefined): Language {
  const candidates = [...(explicit ?? '').split(/[\s,]+/), ...(acceptLanguage ?? '').split(',').map((p) => p.split(';')[0].trim())];
  for (const c of candidates) {
    const base = c.toLowerCase().split('-')[0];
    if ((languages as readonly string[]).includes(base)) return base as Language;
    if (base === 'kin') return 'rw';
  }
  return 'en';
}
