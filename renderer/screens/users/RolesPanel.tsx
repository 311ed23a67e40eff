import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../preload/contract';
import { client } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { useUsers } from '../../state/users-store';
import { NewRoleDialog } from './NewRoleDialog';
import { permissionLabelKey } from './permission-groups';

type Editing = { kind: 'create' } | { kind: 'delete'; role: Role } | null;

function RoleRow({ role, onDelete }: { role: Role; onDelete: () => void }) {
  const { t } = useTranslation();
  return (
    <tr data-testid="role-row" data-role={role.name}>
      <td>{role.name}</td>
      <td>{role.description}</td>
      <td>
        <span className="badge">{role.builtIn ? t('users.roles.builtIn') : t('users.roles.custom')}</span>
      </td>
      <td>{role.permissions.map((p) => t(permissionLabelKey(p))).join(', ')}</td>
      <td className="numeric">{role.userCount}</td>
      <td>
        {role.builtIn ? null : (
          <div className="row-actions">
            <button type="button" className="danger" onClick={onDelete} data-testid="delete-role">
              {t('users.roles.delete')}
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** Built-in roles as shipped and the station's own; only unused custom roles can go. */
export function RolesPanel() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { roles, loadAccounts } = useUsers();
  const [editing, setEditing] = useState<Editing>(null);

  const remove = async (role: Role) => {
    setEditing(null);
    const result = await client().call('roles.delete', { id: role.id });
    if (!result.ok) return show('error', errorText(result.error));
    show('success', t('users.roles.deleted', { name: role.name }));
    void loadAccounts();
  };

  return (
    <div className="panel">
      <div className="panel-header">
        <h2 id="roles-title">{t('users.roles.tableLabel')}</h2>
        <button type="button" className="primary" onClick={() => setEditing({ kind: 'create' })} data-testid="new-role">
          {t('users.roles.newRole')}
        </button>
      </div>
      <table className="data-table" aria-labelledby="roles-title" data-testid="roles-table">
        <thead>
          <tr>
            <th scope="col">{t('users.roles.colName')}</th>
            <th scope="col">{t('users.roles.colDescription')}</th>
            <th scope="col">{t('users.roles.colKind')}</th>
            <th scope="col">{t('users.roles.colPermissions')}</th>
            <th scope="col" className="numeric">
              {t('users.roles.colUsers')}
            </th>
            <th scope="col">{t('users.roles.colActions')}</th>
          </tr>
        </thead>
        <tbody>
          {roles.map((role) => (
            <RoleRow key={role.id} role={role} onDelete={() => setEditing({ kind: 'delete', role })} />
          ))}
        </tbody>
      </table>
      {editing?.kind === 'create' ? (
        <NewRoleDialog
          onClose={() => setEditing(null)}
          onCreated={() => {
            setEditing(null);
            void loadAccounts();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={editing?.kind === 'delete'}
        title={t('users.roles.confirmDeleteTitle')}
        message={editing?.kind === 'delete' ? t('users.roles.confirmDelete', { name: editing.role.name }) : ''}
        confirmLabel={t('users.roles.delete')}
        onCancel={() => setEditing(null)}
        onConfirm={() => {
          if (editing?.kind === 'delete') void remove(editing.role);
        }}
      />
    </div>
  );
}
