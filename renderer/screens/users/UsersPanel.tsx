import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../../preload/contract';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { useUsers } from '../../state/users-store';
import { AddUserDialog } from './AddUserDialog';
import { EditUserDialog } from './EditUserDialog';
import { ServiceUserDialog } from './ServiceUserDialog';
import { UserRow } from './UserRow';

type Editing = { kind: 'add' } | { kind: 'addService' } | { kind: 'edit'; user: User } | null;

/** People and service users, with their roles, credentials and lockouts. */
export function UsersPanel() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { users, roles, accountsLoaded, loadAccounts } = useUsers();
  const [editing, setEditing] = useState<Editing>(null);
  const roleNames = new Map(roles.map((role) => [role.id, role.name]));

  const done = () => {
    setEditing(null);
    void loadAccounts();
  };

  const clearLockout = async (user: User) => {
    const result = await client().call('users.clearLockout', { id: user.id });
    if (!result.ok) return show('error', errorText(result.error));
    show('success', t('users.list.lockoutCleared', { username: user.username }));
    void loadAccounts();
  };

  return (
    <div className="panel">
      <div className="panel-header">
        <h2 id="users-list-title">{t('users.list.tableLabel')}</h2>
        <button type="button" onClick={() => setEditing({ kind: 'addService' })} data-testid="add-service-user">
          {t('users.list.addServiceUser')}
        </button>
        <button type="button" className="primary" onClick={() => setEditing({ kind: 'add' })} data-testid="add-user">
          {t('users.list.addUser')}
        </button>
      </div>
      {!accountsLoaded ? (
        <p className="help">{t('common.loading')}</p>
      ) : users.length === 0 ? (
        <p className="empty-state">{t('users.list.empty')}</p>
      ) : (
        <table className="data-table" aria-labelledby="users-list-title" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">{t('users.list.colUsername')}</th>
              <th scope="col">{t('users.list.colDisplayName')}</th>
              <th scope="col">{t('users.list.colKind')}</th>
              <th scope="col">{t('users.list.colRoles')}</th>
              <th scope="col">{t('users.list.colCredentials')}</th>
              <th scope="col">{t('users.list.colFailures')}</th>
              <th scope="col">{t('users.list.colStatus')}</th>
              <th scope="col">{t('users.list.colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <UserRow
                key={user.id}
                user={user}
                roleNames={roleNames}
                onEdit={() => setEditing({ kind: 'edit', user })}
                onClearLockout={() => void clearLockout(user)}
              />
            ))}
          </tbody>
        </table>
      )}
      {editing?.kind === 'add' ? <AddUserDialog onClose={() => setEditing(null)} onAdded={done} /> : null}
      {editing?.kind === 'addService' ? <ServiceUserDialog onClose={() => setEditing(null)} onAdded={done} /> : null}
      {editing?.kind === 'edit' ? (
        <EditUserDialog key={editing.user.id} user={editing.user} onClose={() => setEditing(null)} onSaved={done} />
      ) : null}
    </div>
  );
}
