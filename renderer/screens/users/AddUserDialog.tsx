import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { userLimits } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { hasProblems, type Problems, useProblemText } from './form-checks';
import { RolePicker } from './RolePicker';
import { TextField } from './TextField';
import { checkNewUser, emptyNewUserForm, type NewUserField, type NewUserForm, toCreateUserInput } from './user-form';

/** A person who signs in at this station: roles say what they may do, credentials how they sign in. */
export function AddUserDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const problemText = useProblemText();
  const show = useNotices((s) => s.show);
  const [form, setForm] = useState<NewUserForm>(emptyNewUserForm);
  const [problems, setProblems] = useState<Problems<NewUserField>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = <K extends keyof NewUserForm>(key: K, value: NewUserForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = checkNewUser(form);
    setProblems(found);
    if (hasProblems(found)) return;
    setBusy(true);
    const result = await client().call('users.create', toCreateUserInput(form));
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t('users.addUser.created', { username: result.value.username }));
    onAdded();
  };

  return (
    <Dialog title={t('users.addUser.title')} open onClose={onClose} testId="add-user-dialog" wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-row">
          <TextField
            label={t('users.form.username')}
            name="username"
            value={form.username}
            onChange={(v) => set('username', v)}
            help={t('users.form.usernameHelp')}
            error={problemText(problems.username)}
            autoFocus
          />
          <TextField
            label={t('users.form.displayName')}
            name="displayName"
            value={form.displayName}
            onChange={(v) => set('displayName', v)}
            error={problemText(problems.displayName)}
          />
        </div>
        <RolePicker
          selected={form.roleIds}
          onChange={(ids) => set('roleIds', ids)}
          error={problemText(problems.roleIds)}
        />
        <fieldset className="editor-section">
          <legend>{t('users.form.credentialsLegend')}</legend>
          <TextField
            label={t('users.form.password')}
            name="password"
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(v) => set('password', v)}
            help={t('users.form.passwordHelp', { min: userLimits.passwordMin })}
            error={problemText(problems.password)}
          />
          <div className="form-row">
            <TextField
              label={t('users.form.pin')}
              name="pin"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              value={form.pin}
              onChange={(v) => set('pin', v)}
              help={t('users.form.pinHelp', { min: userLimits.pinMin, max: userLimits.pinMax })}
              error={problemText(problems.pin)}
            />
            <TextField
              label={t('users.form.badge')}
              name="badge"
              value={form.badge}
              onChange={(v) => set('badge', v)}
              help={t('users.form.badgeHelp')}
              error={problemText(problems.badge)}
            />
          </div>
          {problems.credentials ? <span className="field-error">{problemText(problems.credentials)}</span> : null}
        </fieldset>
        <FormFooter error={serverError} busy={busy} submitLabel={t('users.addUser.submit')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
