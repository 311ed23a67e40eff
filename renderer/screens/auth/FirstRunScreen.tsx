import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { limits, userLimits } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { useAuth } from '../../state/auth-store';
import { AuthField } from './AuthField';
import { AuthRefusal } from './AuthRefusal';
import { type SetupProblems, type SetupValues, validateSetup } from './validate-setup';

const empty: SetupValues = { username: '', displayName: '', password: '', passwordConfirm: '', pin: '' };

/** Shown until the station has its first Solution administrator; it signs them straight in. */
export function FirstRunScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const setUp = useAuth((s) => s.setUp);
  const [values, setValues] = useState(empty);
  const [problems, setProblems] = useState<SetupProblems>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (field: keyof SetupValues) => (e: { target: { value: string } }) =>
    setValues((before) => ({ ...before, [field]: e.target.value }));
  const problem = (field: keyof SetupValues) => {
    const found = problems[field];
    return found ? t(found.key, found.values) : null;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateSetup(values);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const error = await setUp({
      username: values.username,
      displayName: values.displayName.trim(),
      password: values.password,
      ...(values.pin ? { pin: values.pin } : {}),
    });
    setBusy(false);
    if (error) setRefusal(errorText(error));
  };

  return (
    <section className="auth-card" aria-labelledby="setup-title">
      <h1 id="setup-title">{t('auth.setup.title')}</h1>
      <p className="help">{t('auth.setup.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <AuthField
          label={t('auth.field.username')}
          testId="setup-username"
          autoComplete="username"
          autoFocus
          value={values.username}
          error={problem('username')}
          onChange={change('username')}
        />
        <AuthField
          label={t('auth.field.displayName')}
          testId="setup-display-name"
          autoComplete="name"
          maxLength={limits.nameMax}
          value={values.displayName}
          error={problem('displayName')}
          onChange={change('displayName')}
        />
        <AuthField
          label={t('auth.field.password')}
          testId="setup-password"
          type="password"
          autoComplete="new-password"
          maxLength={userLimits.passwordMax}
          value={values.password}
          error={problem('password')}
          onChange={change('password')}
        />
        <AuthField
          label={t('auth.field.passwordConfirm')}
          testId="setup-password-confirm"
          type="password"
          autoComplete="new-password"
          maxLength={userLimits.passwordMax}
          value={values.passwordConfirm}
          error={problem('passwordConfirm')}
          onChange={change('passwordConfirm')}
        />
        <AuthField
          label={t('auth.setup.pinOptional')}
          testId="setup-pin"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={userLimits.pinMax}
          value={values.pin}
          error={problem('pin')}
          hint={t('auth.setup.pinHint')}
          onChange={change('pin')}
        />
        <AuthRefusal text={refusal} />
        <button type="submit" className="primary" disabled={busy} data-testid="setup-submit">
          {t('auth.setup.submit')}
        </button>
      </form>
    </section>
  );
}
