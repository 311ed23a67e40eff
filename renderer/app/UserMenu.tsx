import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../preload/contract';
import { useAuth } from '../state/auth-store';

/** Who is signed in, and the two ways to leave the station: lock it for a moment, or sign out. */
export function UserMenu({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const lock = useAuth((s) => s.lock);
  const signOut = useAuth((s) => s.signOut);
  return (
    <div className="user-menu">
      <span className="user-name" title={session.roles.join(', ')}>
        <span className="visually-hidden">{t('auth.user')} </span>
        <strong data-testid="signed-in-user">{session.user.displayName}</strong>
      </span>
      <button type="button" data-testid="lock-button" onClick={() => void lock()}>
        {t('auth.lockNow')}
      </button>
      <button type="button" data-testid="sign-out-button" onClick={() => void signOut()}>
        {t('auth.signOut')}
      </button>
    </div>
  );
}
