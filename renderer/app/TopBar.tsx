import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../api/client';
import { changeLanguage, type LanguageCode, languages } from '../i18n/i18n';

/** Brand, connection and language on every screen, signed in or not; `children` is who is signed in. */
export function TopBar({ children }: { children?: ReactNode }) {
  const { t, i18n } = useTranslation();
  return (
    <header className="topbar">
      <div className="brand">
        <strong>{t('app.title')}</strong>
        <span>{t('app.subtitle')}</span>
      </div>
      <span className="transport">
        {client().kind === 'electron' ? t('app.connectedElectron') : t('app.connectedBrowser')}
      </span>
      {children}
      <label className="language">
        <span>{t('app.language')}</span>
        <select
          value={i18n.language}
          onChange={(e) => void changeLanguage(e.target.value as LanguageCode)}
          data-testid="language-select"
        >
          {languages.map((l) => (
            <option key={l.code} value={l.code}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}
