import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../preload/contract';
import { client } from '../api/client';
import { Notices } from '../components/Notices';
import { useIdleLock } from '../screens/auth/use-idle-lock';
import { AuditScreen } from '../screens/audit/AuditScreen';
import { DeviceGroupsScreen } from '../screens/device-groups/DeviceGroupsScreen';
import { DevicesScreen } from '../screens/devices/DevicesScreen';
import { JobsScreen } from '../screens/jobs/JobsScreen';
import { LineScreen } from '../screens/line/LineScreen';
import { NotBuiltScreen } from '../screens/NotBuiltScreen';
import { PoliciesCaScreen } from '../screens/policies-ca/PoliciesCaScreen';
import { QaScreen } from '../screens/qa/QaScreen';
import { UsersScreen } from '../screens/users/UsersScreen';
import { useAuth, useCan } from '../state/auth-store';
import { useDevices } from '../state/devices-store';
import { useGroups } from '../state/groups-store';
import { type Area, allowedAreas, builtAreas, useNavigation } from '../state/navigation-store';
import { SyncIndicator } from './SyncIndicator';
import { TopBar } from './TopBar';
import { UserMenu } from './UserMenu';

/** Follows inventory pushes, but only for someone allowed to read it: a refused call is audited. */
function useLiveUpdates(): void {
  const canDevices = useCan('devices.view');
  const canGroups = useCan('deviceGroups.view');
  useEffect(() => {
    const offs: (() => void)[] = [];
    if (canGroups) {
      // A group's device count changes with its devices.
      const reload = () => void useGroups.getState().load();
      offs.push(client().on('deviceGroups.changed', reload), client().on('devices.changed', reload));
    }
    if (canDevices) {
      const reload = () => void useDevices.getState().reload();
      offs.push(client().on('devices.changed', reload), client().on('deviceGroups.changed', reload));
    }
    return () => offs.forEach((off) => off());
  }, [canDevices, canGroups]);
}

function Screen({ area }: { area: Area }) {
  const { t } = useTranslation();
  if (area === 'line') return <LineScreen />;
  if (area === 'qa') return <QaScreen />;
  if (area === 'devices') return <DevicesScreen />;
  if (area === 'deviceGroups') return <DeviceGroupsScreen />;
  if (area === 'policies') return <PoliciesCaScreen />;
  if (area === 'audit') return <AuditScreen />;
  if (area === 'users') return <UsersScreen />;
  if (area === 'jobs') return <JobsScreen />;
  return <NotBuiltScreen area={t(`nav.${area}`)} />;
}

function Navigation({ allowed, current }: { allowed: Area[]; current: Area | undefined }) {
  const { t } = useTranslation();
  const go = useNavigation((s) => s.go);
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <ul>
        {allowed.map((a) => (
          <li key={a}>
            <button
              type="button"
              className={a === current ? 'active' : ''}
              aria-current={a === current ? 'page' : undefined}
              data-built={builtAreas.has(a)}
              onClick={() => go(a)}
            >
              {t(`nav.${a}`)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

interface AppShellProps {
  session: SessionInfo;
  /** Behind the lock screen: kept mounted (work in progress survives) but hidden and inert. */
  locked: boolean;
}

/** The signed-in station: only the areas this person's roles open, and the idle lock running. */
export function AppShell({ session, locked }: AppShellProps) {
  const { t } = useTranslation();
  const wanted = useNavigation((s) => s.area);
  const lock = useAuth((s) => s.lock);
  useLiveUpdates();
  useIdleLock(locked ? null : session.idleLockSeconds, lock);
  const allowed = allowedAreas(session.permissions);
  // An area the person may not use (an old bookmark, the last user's choice) falls back to their first.
  const area = allowed.includes(wanted) ? wanted : allowed[0];
  return (
    <div className="shell" hidden={locked} inert={locked}>
      <a className="skip-link" href="#content">
        {t('app.skipToContent')}
      </a>
      {/* Locked, the lock screen has its own sign-out; one of each control on the page. */}
      <TopBar>
        {locked ? null : (
          <>
            <SyncIndicator />
            <UserMenu session={session} />
          </>
        )}
      </TopBar>
      <Navigation allowed={allowed} current={area} />
      <main id="content" className="content">
        {area ? <Screen area={area} /> : <p className="empty-state">{t('auth.noAreas')}</p>}
      </main>
      <Notices />
    </div>
  );
}
