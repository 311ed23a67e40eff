import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type User, userLimits } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { CredentialChange } from './CredentialChange';
import { hasProblems, type Problems, useProblemText } from './form-checks';
import { RolePicker } from './RolePicker';
import { TextField } from './TextField';
import {
  changesNothing,
  checkEditUser,
  type EditUserField,
  type EditUserForm,
  editUserForm,
  toUpdateUserInput,
} from './user-form';

interface EditUserDialogProps {
  user: User;
  onClose: () => void;
  onSaved: () => void;
}

/** Name, roles, credentials and the disabled flag of one user; a service user has only name and flag. */
export function EditUserDialog({ user, onClose, onSaved }: EditUserDialogProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const problemText = useProblemText();
  const show = useNotices((s) => s.show);
  const [form, setForm] = useState<EditUserForm>(() => editUserForm(user));
  const [problems, setProblems] = useState<Problems<EditUserField>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const person = user.kind === 'person';

  const set = <K extends keyof EditUserForm>(key: K, value: EditUserForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = checkEditUser(user, form);
    setProblems(found);
    if (hasProblems(found)) return;
    const input = toUpdateUserInput(user, form);
    if (changesNothing(input)) {
      show('success', t('users.editUser.nothingChanged'));
      return onClose();
    }
    setBusy(true);
    const result = await client().call('users.update', input);
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t('users.editUser.saved', { username: result.value.username }));
    onSaved();
  };

  return (
    <Dialog
      title={t('users.editUser.title', { username: user.username })}
      open
      onClose={onClose}
      testId="edit-user-dialog"
      wide
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('users.form.displayName')}
          name="displayName"
          value={form.displayName}
          onChange={(v) => set('displayName', v)}
          error={problemText(problems.displayName)}
          autoFocus
        />
        {person ? (
          <>
            <RolePicker
              selected={form.roleIds}
              onChange={(ids) => set('roleIds', ids)}
              error={problemText(problems.roleIds)}
            />
            <fieldset className="editor-section">
              <legend>{t('users.form.credentialsLegend')}</legend>
              <TextField
                label={t('users.editUser.newPassword')}
                name="password"
                type="password"
                autoComplete="new-password"
                value={form.password}
                onChange={(v) => set('password', v)}
                help={t('users.editUser.newPasswordHelp')}
                error={problemText(problems.password)}
              />
              <CredentialChange
                label={t('users.form.pin')}
                newLabel={t('users.editUser.newPin')}
                name="pin"
                isSet={user.hasPin}
                action={form.pinAction}
                value={form.pin}
                help={t('users.form.pinHelp', { min: userLimits.pinMin, max: userLimits.pinMax })}
                numeric
                error={problemText(problems.pin)}
                onAction={(a) => set('pinAction', a)}
                onValue={(v) => set('pin', v)}
              />
              <CredentialChange
                label={t('users.form.badge')}
                newLabel={t('users.editUser.newBadge')}
                name="badge"
                isSet={user.hasBadge}
                action={form.badgeAction}
                value={form.badge}
                help={t('users.form.badgeHelp')}
                error={problemText(problems.badge)}
                onAction={(a) => set('badgeAction', a)}
                onValue={(v) => set('badge', v)}
              />
              {problems.credentials ? <span className="field-error">{problemText(problems.credentials)}</span> : null}
            </fieldset>
          </>
        ) : null}
        <label className="checkbox">
          <input
            type="checkbox"
            name="disabled"
            checked={form.disabled}
            onChange={(e) => set('disabled', e.target.checked)}
          />
          <span>{t('users.editUser.disabled')}</span>
        </label>
        <FormFooter error={serverError} busy={busy} submitLabel={t('common.save')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
