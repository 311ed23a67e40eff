import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { useAuth } from '../../state/auth-store';
import { useUsers } from '../../state/users-store';
import { RolesPanel } from './RolesPanel';
import { TokensPanel } from './TokensPanel';
import { panelId, tabId, type UserTab, userTabs, UsersTabs } from './UsersTabs';
import { UsersPanel } from './UsersPanel';

interface UsersScreenProps {
  /**
   * The signed-in user's permissions, when the shell hands them in; otherwise the session's.
   * They decide which tabs exist (the station checks every call anyway).
   */
  permissions?: ReadonlySet<Permission>;
}

const tabPermission: Record<UserTab, Permission> = {
  users: 'users.manage',
  roles: 'users.manage',
  tokens: 'tokens.manage',
};

/** Users, roles and API tokens: who may sign in, what they may do, and what scripts may do. */
export function UsersScreen({ permissions: given }: UsersScreenProps) {
  const { t } = useTranslation();
  const sessionPermissions = useAuth((s) => s.session?.permissions);
  const permissions = useMemo(() => given ?? new Set(sessionPermissions), [given, sessionPermissions]);
  const errorText = useErrorText();
  const { accountsError, tokensError, loadAccounts, loadTokens } = useUsers();
  const canManageUsers = permissions.has('users.manage');
  const canManageTokens = permissions.has('tokens.manage');
  const tabs = userTabs.filter((tab) => permissions.has(tabPermission[tab]));
  const [chosen, setChosen] = useState<UserTab | null>(null);
  const current = chosen && tabs.includes(chosen) ? chosen : tabs[0];
  const error = current === 'tokens' ? tokensError : accountsError;

  useEffect(() => {
    if (canManageUsers) void loadAccounts();
  }, [canManageUsers, loadAccounts]);
  useEffect(() => {
    if (canManageTokens) void loadTokens();
  }, [canManageTokens, loadTokens]);

  // screen-policies is the stylesheet's scrolling screen: a long user list must scroll, not be cut off.
  return (
    <section className="screen screen-policies" aria-labelledby="users-title">
      <header className="screen-header">
        <h1 id="users-title">{t('users.title')}</h1>
      </header>
      {current ? (
        <>
          <UsersTabs tabs={tabs} current={current} onSelect={setChosen} />
          {error ? (
            <p className="form-error" role="alert">
              {errorText(error)}
            </p>
          ) : null}
          <div role="tabpanel" id={panelId(current)} aria-labelledby={tabId(current)}>
            {current === 'users' ? <UsersPanel /> : null}
            {current === 'roles' ? <RolesPanel /> : null}
            {current === 'tokens' ? <TokensPanel canManageUsers={canManageUsers} /> : null}
          </div>
        </>
      ) : (
        <p className="empty-state">{t('users.noAccess')}</p>
      )}
    </section>
  );
}
