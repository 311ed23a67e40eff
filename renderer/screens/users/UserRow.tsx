import { useTranslation } from 'react-i18next';
import type { User } from '../../../preload/contract';
import { useTimestampText } from './format';

interface UserRowProps {
  user: User;
  roleNames: ReadonlyMap<string, string>;
  onEdit: () => void;
  onClearLockout: () => void;
}

/** Locked means a lockout that has not run out yet; an old lockedUntil no longer stops anyone. */
export const isLockedOut = (user: User, now = Date.now()) =>
  user.lockedUntil !== null && Date.parse(user.lockedUntil) > now;

function CredentialsCell({ user }: { user: User }) {
  const { t } = useTranslation();
  if (user.kind === 'service') return <td>{t('users.list.apiTokensOnly')}</td>;
  const set = [
    user.hasPassword ? t('users.credentials.password') : null,
    user.hasPin ? t('users.credentials.pin') : null,
    user.hasBadge ? t('users.credentials.badge') : null,
  ].filter((label) => label !== null);
  return <td data-testid="user-credentials">{set.length > 0 ? set.join(' · ') : t('users.list.noCredentials')}</td>;
}

export function UserRow({ user, roleNames, onEdit, onClearLockout }: UserRowProps) {
  const { t } = useTranslation();
  const timestamp = useTimestampText();
  const locked = isLockedOut(user);
  const roles =
    user.kind === 'service'
      ? t('users.list.ownPermissions', { count: user.permissions.length })
      : user.roleIds.map((id) => roleNames.get(id) ?? id).join(', ');
  return (
    <tr data-testid="user-row" data-username={user.username}>
      <td className="mono">{user.username}</td>
      <td>{user.displayName}</td>
      <td>{t(`users.list.kinds.${user.kind}`)}</td>
      <td>{roles}</td>
      <CredentialsCell user={user} />
      <td>
        <span className="numeric">{user.failedSignIns}</span>
        {locked && user.lockedUntil ? (
          <div className="badge badge-warn">{t('users.list.lockedUntil', { until: timestamp(user.lockedUntil) })}</div>
        ) : null}
      </td>
      <td>
        <span className={`badge ${user.disabled ? 'status-Disabled' : 'status-Enabled'}`}>
          {user.disabled ? t('users.list.disabled') : t('users.list.active')}
        </span>
      </td>
      <td>
        <div className="row-actions">
          {locked ? (
            <button type="button" onClick={onClearLockout} data-testid="clear-lockout">
              {t('users.list.clearLockout')}
            </button>
          ) : null}
          <button type="button" onClick={onEdit} data-testid="edit-user">
            {t('users.list.edit')}
          </button>
        </div>
      </td>
    </tr>
  );
}
