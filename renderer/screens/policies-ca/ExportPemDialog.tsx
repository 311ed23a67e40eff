import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ca, StationErrorShape } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { useErrorText } from '../../components/use-error-text';
import { PemBlock } from './PemBlock';

/** A CA's certificate as PEM, or its CSR while it still awaits the certificate. */
export function ExportPemDialog({ ca, onClose }: { ca: Ca; onClose: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const csr = ca.status === 'awaiting-certificate';
  const [pem, setPem] = useState<string | null>(null);
  const [error, setError] = useState<StationErrorShape | null>(null);

  useEffect(() => {
    let current = true;
    void client()
      .call(csr ? 'cas.exportCsr' : 'cas.exportCertificate', { id: ca.id })
      .then((result) => {
        if (!current) return;
        if (result.ok) setPem(result.value.pem);
        else setError(result.error);
      });
    return () => {
      current = false;
    };
  }, [ca.id, csr]);

  return (
    <Dialog
      title={t(csr ? 'cas.exportCsrTitle' : 'cas.exportTitle', { name: ca.name })}
      open
      onClose={onClose}
      testId="export-pem-dialog"
      wide
    >
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : pem === null ? (
        <p className="help">{t('common.loading')}</p>
      ) : (
        <PemBlock label={csr ? t('cas.csrLabel') : t('cas.certificateLabel')} pem={pem} testId="export-pem" />
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}
