import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import fr from './fr.json';
import rw from './rw.json';

export const languages = [
  { code: 'en', label: 'English' },
  { code: 'fr', label: 'Français' },
  { code: 'rw', label: 'Ikinyarwanda' },
] as const;

export type Language = (typeof languages)[number]['code'];

const storageKey = 'huza.language';

export function isLanguage(value: unknown): value is Language {
  return languages.some((l) => l.code === value);
}

function savedLanguage(): Language {
  try {
    const saved = localStorage.getItem(storageKey);
    if (isLanguage(saved)) return saved;
  } catch {
    // storage unavailable: default language
  }
  return 'en';
}

export function setLanguage(language: Language): Promise<unknown> {
  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // the choice then lasts for this page only
  }
  return i18n.changeLanguage(language);
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

void i18n.use(initReactI18next).init({
  // Catalogs are bundled: initialise synchronously so the first render is already translated.
  initAsync: false,
  resources: { en: { translation: en }, fr: { translation: fr }, rw: { translation: rw } },
  lng: savedLanguage(),
  fallbackLng: 'en',
  supportedLngs: languages.map((l) => l.code),
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18n.language;

export default i18n;
