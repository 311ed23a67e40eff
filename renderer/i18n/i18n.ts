import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { de } from './locales/de';
import { en } from './locales/en';

export const languages = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
] as const;
export type LanguageCode = (typeof languages)[number]['code'];

const storageKey = 'trustline.language';

function initialLanguage(): LanguageCode {
  const stored = localStorage.getItem(storageKey);
  const wanted = stored ?? navigator.language.slice(0, 2);
  return languages.some((l) => l.code === wanted) ? (wanted as LanguageCode) : 'en';
}

export async function setupI18n(): Promise<i18n> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, de: { translation: de } },
    lng: initialLanguage(),
    fallbackLng: 'en',
    // React already escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = i18next.language;
  return i18next;
}

export async function changeLanguage(code: LanguageCode): Promise<void> {
  localStorage.setItem(storageKey, code);
  await i18next.changeLanguage(code);
  document.documentElement.lang = code;
}
