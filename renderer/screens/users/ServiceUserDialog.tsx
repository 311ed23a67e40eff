import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { checkName, checkUsername, hasProblems, onlyProblems, type Problems, useProblemText } from './form-checks';
import { PermissionPicker } from './PermissionPicker';
import { TextField } from './TextField';

type Field = 'name' | 'displayName' | 'permissions';

/** An account for a script or system (MES, ERP): it holds exactly the permissions given here, and signs in with API tokens. */
export function ServiceUserDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const problemText = useProblemText();
  const show = useNotices((s) => s.show);
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [problems, setProblems] = useState<Problems<Field>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = onlyProblems<Field>({
      name: checkUsername(name),
      displayName: checkName(displayName),
      permissions: permissions.length === 0 ? 'permissions' : undefined,
    });
    setProblems(found);
    if (hasProblems(found)) return;
    setBusy(true);
    const result = await client().call('users.createService', {
      name: name.trim(),
      displayName: displayName.trim(),
      permissions,
    });
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t('users.addServiceUser.created', { username: result.value.username }));
    onAdded();
  };

  return (
    <Dialog title={t('users.addServiceUser.title')} open onClose={onClose} testId="service-user-dialog" wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-row">
          <TextField
            label={t('users.form.serviceName')}
            name="name"
            value={name}
            onChange={setName}
            help={t('users.form.serviceNameHelp')}
            error={problemText(problems.name)}
            autoFocus
          />
          <TextField
            label={t('users.form.displayName')}
            name="displayName"
            value={displayName}
            onChange={setDisplayName}
            error={problemText(problems.displayName)}
          />
        </div>
        <PermissionPicker selected={permissions} onChange={setPermissions} error={problemText(problems.permissions)} />
        <FormFooter error={serverError} busy={busy} submitLabel={t('users.addServiceUser.submit')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
