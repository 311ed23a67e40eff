import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type SignInInput, userLimits } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { useAuth } from '../../state/auth-store';
import { AuthField } from './AuthField';
import { AuthRefusal } from './AuthRefusal';
import { BadgeField } from './BadgeField';
import { SignInMethodPicker } from './SignInMethodPicker';

export type SignInMethod = SignInInput['method'];

/** Password, PIN or badge: whichever the person was given; the station checks it. */
export function SignInScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const signIn = useAuth((s) => s.signIn);
  const [method, setMethod] = useState<SignInMethod>('password');
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = (next: SignInMethod) => {
    setMethod(next);
    setSecret('');
    setRefusal(null);
  };

  const send = async (input: SignInInput) => {
    setBusy(true);
    const error = await signIn(input);
    setBusy(false);
    // A wrong secret is typed again from scratch; the username stays.
    setSecret('');
    setRefusal(error ? errorText(error) : null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (method === 'badge') {
      if (secret.trim()) void send({ method, badge: secret.trim() });
      return;
    }
    const name = username.trim().toLowerCase();
    if (!name || !secret) return setRefusal(t('validation.required'));
    void send(
      method === 'pin' ? { method, username: name, pin: secret } : { method, username: name, password: secret },
    );
  };

  return (
    <section className="auth-card" aria-labelledby="signin-title">
      <h1 id="signin-title">{t('auth.signIn.title')}</h1>
      <SignInMethodPicker method={method} onPick={pick} />
      <form onSubmit={submit} noValidate>
        {method === 'badge' ? (
          <BadgeField value={secret} onChange={setSecret} />
        ) : (
          <>
            <AuthField
              label={t('auth.field.username')}
              testId="signin-username"
              autoComplete="username"
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
            {method === 'pin' ? (
              <AuthField
                key="pin"
                label={t('auth.field.pin')}
                testId="signin-pin"
                type="password"
                inputMode="numeric"
                autoComplete="off"
                maxLength={userLimits.pinMax}
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
              />
            ) : (
              <AuthField
                key="password"
                label={t('auth.field.password')}
                testId="signin-password"
                type="password"
                autoComplete="current-password"
                maxLength={userLimits.passwordMax}
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
              />
            )}
          </>
        )}
        <AuthRefusal text={refusal} />
        <button type="submit" className="primary" disabled={busy} data-testid="signin-submit">
          {t('auth.signIn.submit')}
        </button>
      </form>
    </section>
  );
}
