import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { limits, type Ca } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { looksLikeCertificatePem } from './ca-form';

type ImportDialogProps = { onClose: () => void; onDone: () => void } & (
  { kind: 'certificate'; ca: Ca } | { kind: 'trust-anchor' }
);

/**
 * Pasting a certificate: either the signed certificate of an issuing CA that awaits it, or a
 * root to build chains to (a trust anchor, with a name of its own).
 */
export function ImportCertificateDialog(props: ImportDialogProps) {
  const { onClose, onDone } = props;
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [pemError, setPemError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const anchor = props.kind === 'trust-anchor';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    const badName = !anchor
      ? null
      : !trimmed
        ? t('validation.required')
        : trimmed.length > limits.nameMax
          ? t('validation.tooLong', { max: limits.nameMax })
          : null;
    const badPem = looksLikeCertificatePem(pem) ? null : t('cas.validation.pem');
    setNameError(badName);
    setPemError(badPem);
    if (badName || badPem) return;
    setBusy(true);
    const result =
      props.kind === 'trust-anchor'
        ? await client().call('cas.importTrustAnchor', { name: trimmed, certificatePem: pem.trim() })
        : await client().call('cas.importCertificate', { caId: props.ca.id, certificatePem: pem.trim() });
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t(anchor ? 'cas.anchorImported' : 'cas.certificateImported', { name: result.value.name }));
    onDone();
  };

  const title =
    props.kind === 'trust-anchor'
      ? t('cas.importTrustAnchorTitle')
      : t('cas.importCertificateTitle', { name: props.ca.name });
  return (
    <Dialog title={title} open onClose={onClose} testId="import-certificate-dialog" wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {anchor ? (
          <label className="field">
            <span>{t('cas.form.name')}</span>
            <input
              name="name"
              value={name}
              autoFocus
              aria-invalid={nameError !== null}
              onChange={(e) => setName(e.target.value)}
            />
            <span className="field-error">{nameError}</span>
          </label>
        ) : null}
        <label className="field">
          <span>{anchor ? t('cas.form.trustAnchorPem') : t('cas.form.certificatePem')}</span>
          <textarea
            name="certificatePem"
            className="pem"
            value={pem}
            autoFocus={!anchor}
            spellCheck={false}
            placeholder={t('cas.form.pemPlaceholder')}
            aria-invalid={pemError !== null}
            onChange={(e) => setPem(e.target.value)}
          />
          <span className="field-error">{pemError}</span>
        </label>
        <p className="help">{anchor ? t('cas.form.trustAnchorHelp') : t('cas.form.certificatePemHelp')}</p>
        <FormFooter
          error={serverError}
          busy={busy}
          submitLabel={anchor ? t('cas.importTrustAnchor') : t('cas.importCertificate')}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
