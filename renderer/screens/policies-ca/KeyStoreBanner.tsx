import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../components/use-error-text';
import { useCas } from '../../state/ca-store';
import { useNotices } from '../../state/notice-store';

/** Which key store holds the CA keys, whether it is open, and the PIN form while it is not. */
export function KeyStoreBanner() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { keyStore, keyStoreError, createdSoPin, dismissSoPin, unlock, load } = useCas();
  const show = useNotices((s) => s.show);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!pin) return setError(t('validation.required'));
    setBusy(true);
    const refusal = await unlock(pin);
    setBusy(false);
    if (refusal) return setError(errorText(refusal));
    setPin('');
    setError(null);
    show('success', t('keyStore.unlockedNotice'));
    void load();
  };

  if (!keyStore) {
    return (
      <section className="keystore-banner" aria-label={t('keyStore.label')} data-testid="key-store">
        {keyStoreError ? (
          <p className="form-error" role="alert">
            {errorText(keyStoreError)}
          </p>
        ) : (
          <p className="help">{t('keyStore.loading')}</p>
        )}
      </section>
    );
  }

  return (
    <section
      className={`keystore-banner${keyStore.unlocked ? '' : ' locked'}${keyStore.notForProduction ? ' not-for-production' : ''}`}
      aria-label={t('keyStore.label')}
      data-testid="key-store"
    >
      <div className="keystore-info">
        <div className="keystore-title">
          <strong>{keyStore.description}</strong>
          <span className={`badge ${keyStore.unlocked ? 'badge-ok' : 'badge-warn'}`} data-testid="key-store-state">
            {keyStore.unlocked ? t('keyStore.unlocked') : t('keyStore.locked')}
          </span>
        </div>
        <span className="help">
          {t('keyStore.token', { label: keyStore.tokenLabel })}
          {keyStore.modulePath ? ` · ${t('keyStore.module', { path: keyStore.modulePath })}` : null}
        </span>
        {keyStore.notForProduction ? (
          <strong className="keystore-warning" role="note">
            {t('keyStore.notForProduction')}
          </strong>
        ) : null}
        {createdSoPin ? (
          <div className="keystore-warning" role="alert" data-testid="so-pin">
            <p>{t('keyStore.createdSoPin')}</p>
            <code>{createdSoPin}</code>{' '}
            <button type="button" onClick={dismissSoPin}>
              {t('keyStore.soPinNoted')}
            </button>
          </div>
        ) : null}
      </div>
      {keyStore.unlocked ? null : (
        <form className="keystore-unlock" onSubmit={(e) => void submit(e)} noValidate>
          <p className="help">{t('keyStore.lockedHelp')}</p>
          <div className="keystore-unlock-row">
            <label className="field">
              <span>{t('keyStore.pin')}</span>
              <input
                type="password"
                name="pin"
                autoComplete="off"
                value={pin}
                aria-invalid={error !== null}
                aria-describedby="key-store-error"
                onChange={(e) => setPin(e.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {t('keyStore.unlock')}
            </button>
          </div>
          <span id="key-store-error" className="field-error" role={error ? 'alert' : undefined}>
            {error}
          </span>
        </form>
      )}
    </section>
  );
}
