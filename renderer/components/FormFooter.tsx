import { useTranslation } from 'react-i18next';

interface FormFooterProps {
  /** The station's refusal, already in the operator's language. */
  error: string | null;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}

/** The end of every dialog form: the station's answer when it refused, then Cancel and submit. */
export function FormFooter({ error, busy, submitLabel, onCancel }: FormFooterProps) {
  const { t } = useTranslation();
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
