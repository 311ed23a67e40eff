import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { signingCas, useCas } from '../../state/ca-store';
import { useNotices } from '../../state/notice-store';
import { CaFields } from './CaFields';
import { type CaFormErrors, caSubjectOf, emptyCaForm, validateCaForm } from './ca-form';
import { PemBlock } from './PemBlock';

/**
 * An issuing CA's key is made in the key store. A ready CA of this station may sign it at once
 * (labs); otherwise the dialog ends by showing the CSR to take to the company's root CA.
 */
export function CreateIssuingCaDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const signers = signingCas(useCas((s) => s.cas));
  const [form, setForm] = useState(() => emptyCaForm(3650));
  const [signWith, setSignWith] = useState('');
  const [errors, setErrors] = useState<CaFormErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [csr, setCsr] = useState<{ name: string; pem: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateCaForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const result = await client().call('cas.createIssuing', {
      name: form.name.trim(),
      subject: caSubjectOf(form),
      algorithm: form.algorithm,
      ...(signWith ? { signWithCaId: signWith, validityDays: Number(form.validityDays) } : {}),
    });
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t('cas.created', { name: result.value.ca.name }));
    if (result.value.ca.status === 'ready') return onDone();
    setCsr({ name: result.value.ca.name, pem: result.value.csrPem });
  };

  if (csr) {
    return (
      <Dialog
        title={t('cas.csrTitle', { name: csr.name })}
        open
        onClose={onDone}
        testId="create-issuing-ca-dialog"
        wide
      >
        <p className="help">{t('cas.csrHelp')}</p>
        <PemBlock label={t('cas.csrLabel')} pem={csr.pem} testId="csr-pem" />
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onDone} autoFocus>
            {t('common.close')}
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={t('cas.createIssuingTitle')} open onClose={onClose} testId="create-issuing-ca-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <CaFields
          form={form}
          errors={errors}
          onChange={(patch) => setForm({ ...form, ...patch })}
          withCountry={false}
          withValidity={signWith !== ''}
        />
        <label className="field">
          <span>{t('cas.form.signWith')}</span>
          <select name="signWith" value={signWith} onChange={(e) => setSignWith(e.target.value)}>
            <option value="">{t('cas.form.signWithNone')}</option>
            {signers.map((ca) => (
              <option key={ca.id} value={ca.id}>
                {ca.name}
              </option>
            ))}
          </select>
        </label>
        <p className="help">{signWith ? t('cas.form.signWithHelp') : t('cas.form.signWithNoneHelp')}</p>
        <FormFooter error={serverError} busy={busy} submitLabel={t('cas.createIssuing')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
