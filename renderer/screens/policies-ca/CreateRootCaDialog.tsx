import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { CaFields } from './CaFields';
import { type CaFormErrors, caSubjectOf, emptyCaForm, validateCaForm } from './ca-form';

/** A self-signed root with its key in the key store: for labs and demos. */
export function CreateRootCaDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const [form, setForm] = useState(() => emptyCaForm(7300));
  const [errors, setErrors] = useState<CaFormErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateCaForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const result = await client().call('cas.createRoot', {
      name: form.name.trim(),
      subject: caSubjectOf(form),
      algorithm: form.algorithm,
      validityDays: Number(form.validityDays),
    });
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    show('success', t('cas.created', { name: result.value.name }));
    onDone();
  };

  return (
    <Dialog title={t('cas.createRootTitle')} open onClose={onClose} testId="create-root-ca-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="help">{t('cas.createRootHelp')}</p>
        <CaFields
          form={form}
          errors={errors}
          onChange={(patch) => setForm({ ...form, ...patch })}
          withCountry
          withValidity
        />
        <FormFooter error={serverError} busy={busy} submitLabel={t('cas.createRoot')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
