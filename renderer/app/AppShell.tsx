import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../api/client';
import { Notices } from '../components/Notices';
import { changeLanguage, type LanguageCode, languages } from '../i18n/i18n';
import { DeviceGroupsScreen } from '../screens/device-groups/DeviceGroupsScreen';
import { DevicesScreen } from '../screens/devices/DevicesScreen';
import { LineScreen } from '../screens/line/LineScreen';
import { NotBuiltScreen } from '../screens/NotBuiltScreen';
import { PoliciesCaScreen } from '../screens/policies-ca/PoliciesCaScreen';
import { QaScreen } from '../screens/qa/QaScreen';
import { useDevices } from '../state/devices-store';
import { useGroups } from '../state/groups-store';
import { type Area, areas, builtAreas, useNavigation } from '../state/navigation-store';

function useLiveUpdates(): void {
  useEffect(() => {
    const refresh = () => {
      void useGroups.getState().load();
      void useDevices.getState().reload();
    };
    const offDevices = client().on('devices.changed', refresh);
    const offGroups = client().on('deviceGroups.changed', refresh);
    return () => {
      offDevices();
      offGroups();
    };
  }, []);
}

function Screen({ area }: { area: Area }) {
  const { t } = useTranslation();
  if (area === 'line') return <LineScreen />;
  if (area === 'qa') return <QaScreen />;
  if (area === 'devices') return <DevicesScreen />;
  if (area === 'deviceGroups') return <DeviceGroupsScreen />;
  if (area === 'policies') return <PoliciesCaScreen />;
  return <NotBuiltScreen area={t(`nav.${area}`)} />;
}

export function AppShell() {
  const { t, i18n } = useTranslation();
  const { area, go } = useNavigation();
  useLiveUpdates();
  return (
    <div className="shell">
      <a className="skip-link" href="#content">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <div className="brand">
          <strong>{t('app.title')}</strong>
          <span>{t('app.subtitle')}</span>
        </div>
        <span className="transport">
          {client().kind === 'electron' ? t('app.connectedElectron') : t('app.connectedBrowser')}
        </span>
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
      <nav className="sidebar" aria-label={t('nav.label')}>
        <ul>
          {areas.map((a) => (
            <li key={a}>
              <button
                type="button"
                className={a === area ? 'active' : ''}
                aria-current={a === area ? 'page' : undefined}
                data-built={builtAreas.has(a)}
                onClick={() => go(a)}
              >
                {t(`nav.${a}`)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="content" className="content">
        <Screen area={area} />
      </main>
      <Notices />
    </div>
  );
}
