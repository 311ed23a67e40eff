import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../api/client';
import { Notices } from '../components/Notices';
import { useErrorText } from '../components/use-error-text';
import { FirstRunScreen } from '../screens/auth/FirstRunScreen';
import { LockScreen } from '../screens/auth/LockScreen';
import { SignInScreen } from '../screens/auth/SignInScreen';
import { useAudit } from '../state/audit-store';
import { useAuth } from '../state/auth-store';
import { AppShell } from './AppShell';
import { TopBar } from './TopBar';

/** Any call the station refuses for the session itself sends the person to the matching screen. */
function useAuthErrors(): void {
  useEffect(
    () =>
      client().onAuthError((code) => {
        const auth = useAuth.getState();
        if (code === 'SESSION_LOCKED') auth.sessionLocked();
        else auth.sessionEnded();
      }),
    [],
  );
}

/** The station's front door: first run, sign-in and lock screens, and the app once signed in. */
export function App() {
  const phase = useAuth((s) => s.phase);
  const session = useAuth((s) => s.session);
  const load = useAuth((s) => s.load);
  useAuthErrors();
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    // What one person looked up in the log is not left for the next one.
    if (phase === 'signed-out') useAudit.getState().reset();
  }, [phase]);

  // Keyed by user: a different person gets fresh screens, not the last one's half-filled forms.
  // Locked, the app stays mounted but hidden, so its owner finds their work as they left it.
  const shell =
    session && (phase === 'signed-in' || phase === 'locked') ? (
      <AppShell key={session.user.id} session={session} locked={phase === 'locked'} />
    ) : null;
  if (phase === 'signed-in') return shell;
  return (
    <>
      {shell}
      <div className="auth-shell">
        <TopBar />
        <main className="auth-content">
          {phase === 'setup' ? <FirstRunScreen /> : null}
          {phase === 'signed-out' ? <SignInScreen /> : null}
          {phase === 'locked' && session ? <LockScreen session={session} /> : null}
          {phase === 'loading' ? <Connecting /> : null}
        </main>
        <Notices />
      </div>
    </>
  );
}

function Connecting() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const error = useAuth((s) => s.error);
  const load = useAuth((s) => s.load);
  if (!error) return <p className="empty-state">{t('auth.connecting')}</p>;
  return (
    <section className="auth-card">
      <p className="form-error" role="alert">
        {errorText(error)}
      </p>
      <button type="button" onClick={() => void load()}>
        {t('common.retry')}
      </button>
    </section>
  );
}
