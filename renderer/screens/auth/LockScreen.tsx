import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type SessionInfo, userLimits } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { useAuth } from '../../state/auth-store';
import { AuthField } from './AuthField';
import { AuthRefusal } from './AuthRefusal';

/** The session stays, the screen does not: only its owner's PIN (or password) brings it back. */
export function LockScreen({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const unlock = useAuth((s) => s.unlock);
  const signOut = useAuth((s) => s.signOut);
  const [secret, setSecret] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!secret || busy) return;
    setBusy(true);
    const error = await unlock(session.hasPin ? { pin: secret } : { password: secret });
    setBusy(false);
    setSecret('');
    setRefusal(error ? errorText(error) : null);
  };

  return (
    <section className="auth-card" aria-labelledby="lock-title" data-testid="lock-screen">
      <h1 id="lock-title">{t('auth.lock.title')}</h1>
      <p>{t('auth.lock.who', { name: session.user.displayName, username: session.user.username })}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {session.hasPin ? (
          <AuthField
            label={t('auth.field.pin')}
            testId="unlock-pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            maxLength={userLimits.pinMax}
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
          />
        ) : (
          <AuthField
            label={t('auth.field.password')}
            testId="unlock-password"
            type="password"
            autoComplete="current-password"
            autoFocus
            maxLength={userLimits.passwordMax}
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
          />
        )}
        <AuthRefusal text={refusal} />
        <div className="auth-actions">
          <button type="button" data-testid="sign-out-button" onClick={() => void signOut()}>
            {t('auth.signOut')}
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="unlock-submit">
            {t('auth.lock.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
