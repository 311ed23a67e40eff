import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { limits, type Permission } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { checkName, hasProblems, onlyProblems, type Problems, useProblemText } from './form-checks';
import { PermissionPicker } from './PermissionPicker';
import { TextField } from './TextField';

type Field = 'name' | 'permissions';

/** A custom role composed from permissions, for the jobs the built-in roles do not fit. */
export function NewRoleDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const problemText = useProblemText();
  const show = useNotices((s) => s.show);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [problems, setProblems] = useState<Problems<Field>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = onlyProblems<Field>({
      name: checkName(name),
      permissions: permissions.length === 0 ? 'permissions' : undefined,
    });
    setProblems(found);
    if (hasProblems(found)) return;
    setBusy(true);
    const result = await client().call('roles.create', {
      name: name.trim(),
      description: description.trim(),
      permissions,
    });
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t('users.roles.created', { name: result.value.name }));
    onCreated();
  };

  return (
    <Dialog title={t('users.roles.createTitle')} open onClose={onClose} testId="new-role-dialog" wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('users.form.roleName')}
          name="name"
          value={name}
          onChange={setName}
          error={problemText(problems.name)}
          autoFocus
        />
        <label className="field">
          <span>{t('users.form.description')}</span>
          <textarea
            name="description"
            value={description}
            maxLength={limits.descriptionMax}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <PermissionPicker selected={permissions} onChange={setPermissions} error={problemText(problems.permissions)} />
        <FormFooter error={serverError} busy={busy} submitLabel={t('users.roles.create')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
