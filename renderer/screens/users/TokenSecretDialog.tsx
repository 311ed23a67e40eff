import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { useNotices } from '../../state/notice-store';

interface TokenSecretDialogProps {
  name: string;
  secret: string;
  onClose: () => void;
}

/** The one time the secret is visible: the station keeps only its hash, so closing this loses it. */
export function TokenSecretDialog({ name, secret, onClose }: TokenSecretDialogProps) {
  const { t } = useTranslation();
  const show = useNotices((s) => s.show);
  const ref = useRef<HTMLInputElement>(null);
  const id = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      show('success', t('common.copied'));
    } catch {
      // Without clipboard access (an unfocused browser tab) the selection still lets Ctrl+C work.
      ref.current?.select();
      show('error', t('common.copyFailed'));
    }
  };

  return (
    <Dialog title={t('users.tokens.secretTitle')} open onClose={onClose} testId="token-secret-dialog" wide>
      {/* A form for the dialog's layout only: Enter must not close it and lose the secret by accident. */}
      <form onSubmit={(e) => e.preventDefault()}>
        <p className="keystore-warning" role="alert">
          {t('users.tokens.secretWarning')}
        </p>
        <div className="field">
          <span id={`${id}-label`}>{t('users.tokens.secretLabel', { name })}</span>
          <div className="field-row">
            <input
              ref={ref}
              className="mono field-grow"
              aria-labelledby={`${id}-label`}
              readOnly
              value={secret}
              spellCheck={false}
              data-testid="token-secret"
              onFocus={(e) => e.target.select()}
            />
            <button type="button" onClick={() => void copy()} data-testid="copy-token-secret">
              {t('common.copy')}
            </button>
          </div>
        </div>
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onClose} data-testid="token-secret-done">
            {t('users.tokens.done')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
