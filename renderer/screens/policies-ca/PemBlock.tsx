import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useNotices } from '../../state/notice-store';

interface PemBlockProps {
  label: string;
  pem: string;
  testId?: string;
}

/** A PEM to hand on: read-only, selectable, with a copy button. */
export function PemBlock({ label, pem, testId }: PemBlockProps) {
  const { t } = useTranslation();
  const show = useNotices((s) => s.show);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(pem);
      show('success', t('common.copied'));
    } catch {
      // No clipboard permission (e.g. an unfocused browser tab): leave it selected for Ctrl+C.
      ref.current?.select();
      show('error', t('common.copyFailed'));
    }
  };

  return (
    <div className="pem-block" data-testid={testId}>
      <div className="pem-header">
        <label htmlFor={id}>{label}</label>
        <button type="button" onClick={() => void copy()}>
          {t('common.copy')}
        </button>
      </div>
      <textarea
        id={id}
        ref={ref}
        className="pem"
        readOnly
        value={pem}
        spellCheck={false}
        onFocus={(e) => e.target.select()}
      />
    </div>
  );
}
