import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeviceGroup } from '../../../preload/contract';
import { client } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useGroups } from '../../state/groups-store';
import { useNotices } from '../../state/notice-store';
import { GroupNameDialog } from './GroupNameDialog';

type Editing =
  { kind: 'create' } | { kind: 'rename'; group: DeviceGroup } | { kind: 'delete'; group: DeviceGroup } | null;

export function DeviceGroupsScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { groups, loaded, error, load } = useGroups();
  const show = useNotices((s) => s.show);
  const [editing, setEditing] = useState<Editing>(null);
  const canManage = useCan('deviceGroups.manage');

  useEffect(() => {
    void load();
  }, [load]);

  const remove = async (group: DeviceGroup) => {
    setEditing(null);
    const result = await client().call('deviceGroups.delete', { id: group.id });
    if (result.ok) show('success', t('groups.deleted', { name: group.name }));
    else show('error', errorText(result.error));
  };

  return (
    <section className="screen" aria-labelledby="groups-title">
      <header className="screen-header">
        <h1 id="groups-title">{t('groups.title')}</h1>
        {canManage ? (
          <button type="button" className="primary" onClick={() => setEditing({ kind: 'create' })}>
            {t('groups.create')}
          </button>
        ) : null}
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {loaded && groups.length === 0 ? (
        <p className="empty-state">{t('groups.empty')}</p>
      ) : (
        <table className="data-table" aria-labelledby="groups-title">
          <thead>
            <tr>
              <th scope="col">{t('groups.name')}</th>
              <th scope="col">{t('groups.description')}</th>
              <th scope="col" className="numeric">
                {t('groups.devices')}
              </th>
              <th scope="col">{t('groups.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={group.id} data-testid="group-row">
                <td>{group.name}</td>
                <td>{group.description}</td>
                <td className="numeric">{group.deviceCount}</td>
                <td>
                  {canManage ? (
                    <div className="row-actions">
                      <button type="button" onClick={() => setEditing({ kind: 'rename', group })}>
                        {t('common.rename')}
                      </button>
                      <button type="button" className="danger" onClick={() => setEditing({ kind: 'delete', group })}>
                        {t('common.delete')}
                      </button>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editing?.kind === 'create' ? (
        <GroupNameDialog
          title={t('groups.createTitle')}
          initialName=""
          withDescription
          submitLabel={t('groups.create')}
          onClose={() => setEditing(null)}
          onSubmit={async (values) => {
            const result = await client().call('deviceGroups.create', values);
            if (!result.ok) return result.error;
            setEditing(null);
            show('success', t('groups.created', { name: result.value.name }));
            return null;
          }}
        />
      ) : null}
      {editing?.kind === 'rename' ? (
        <GroupNameDialog
          title={t('groups.renameTitle', { name: editing.group.name })}
          initialName={editing.group.name}
          withDescription={false}
          submitLabel={t('common.save')}
          onClose={() => setEditing(null)}
          onSubmit={async ({ name }) => {
            const result = await client().call('deviceGroups.rename', { id: editing.group.id, name });
            if (!result.ok) return result.error;
            setEditing(null);
            show('success', t('groups.renamed', { name: result.value.name }));
            return null;
          }}
        />
      ) : null}
      <ConfirmDialog
        open={editing?.kind === 'delete'}
        title={t('common.delete')}
        message={editing?.kind === 'delete' ? t('groups.confirmDelete', { name: editing.group.name }) : ''}
        confirmLabel={t('common.delete')}
        onCancel={() => setEditing(null)}
        onConfirm={() => {
          if (editing?.kind === 'delete') void remove(editing.group);
        }}
      />
    </section>
  );
}
