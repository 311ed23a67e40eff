import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { limits } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useGroups } from '../../state/groups-store';
import { useNotices } from '../../state/notice-store';
import { attributesOf, type FieldErrors, type RegistrationForm, validateRegistration } from './validate-registration';

interface RegisterDeviceDialogProps {
  defaultGroupId: string;
  onClose: () => void;
}

export function RegisterDeviceDialog({ defaultGroupId, onClose }: RegisterDeviceDialogProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const groups = useGroups((s) => s.groups);
  const show = useNotices((s) => s.show);
  const [form, setForm] = useState<RegistrationForm>({
    name: '',
    description: '',
    groupId: defaultGroupId || (groups.length === 1 ? (groups[0]?.id ?? '') : ''),
    attributes: [{ key: '', value: '' }],
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fieldError = (field: string) => {
    const error = errors[field];
    return error ? t(error.key, error.values) : null;
  };
  const setAttribute = (index: number, patch: Partial<RegistrationForm['attributes'][number]>) =>
    setForm({ ...form, attributes: form.attributes.map((row, i) => (i === index ? { ...row, ...patch } : row)) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateRegistration(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const result = await client().call('devices.register', {
      name: form.name.trim(),
      description: form.description.trim(),
      groupId: form.groupId,
      attributes: attributesOf(form.attributes),
    });
    setBusy(false);
    if (!result.ok) {
      setServerError(errorText(result.error));
      return;
    }
    show('success', t('devices.registered', { name: result.value.name }));
    onClose();
  };

  return (
    <Dialog title={t('devices.registerDialog.title')} open onClose={onClose} testId="register-device-dialog">
      {groups.length === 0 ? (
        <p className="empty-state">{t('devices.registerDialog.noGroups')}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <label className="field">
            <span>{t('devices.registerDialog.name')}</span>
            <input
              name="name"
              autoFocus
              value={form.name}
              aria-invalid={errors.name !== undefined}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <span className="field-error">{fieldError('name')}</span>
          </label>
          <label className="field">
            <span>{t('devices.registerDialog.description')}</span>
            <textarea
              name="description"
              value={form.description}
              aria-invalid={errors.description !== undefined}
              onChange={(e) => setForm({ ...form, description: e.target.value })}
            />
            <span className="field-error">{fieldError('description')}</span>
          </label>
          <label className="field">
            <span>{t('devices.registerDialog.group')}</span>
            <select
              name="groupId"
              value={form.groupId}
              aria-invalid={errors.groupId !== undefined}
              onChange={(e) => setForm({ ...form, groupId: e.target.value })}
            >
              <option value="">{t('devices.registerDialog.chooseGroup')}</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
            <span className="field-error">{fieldError('groupId')}</span>
          </label>
          <fieldset className="attributes">
            <legend>{t('devices.registerDialog.attributes')}</legend>
            <p className="help">{t('devices.registerDialog.attributesHelp')}</p>
            {form.attributes.map((row, index) => (
              <div className="attribute-row" key={index}>
                <label className="field">
                  <span>{t('devices.registerDialog.key')}</span>
                  <input
                    name={`attr-key-${index}`}
                    value={row.key}
                    aria-invalid={errors[`attr.${index}.key`] !== undefined}
                    onChange={(e) => setAttribute(index, { key: e.target.value })}
                  />
                  <span className="field-error">{fieldError(`attr.${index}.key`)}</span>
                </label>
                <label className="field">
                  <span>{t('devices.registerDialog.value')}</span>
                  <input
                    name={`attr-value-${index}`}
                    value={row.value}
                    aria-invalid={errors[`attr.${index}.value`] !== undefined}
                    onChange={(e) => setAttribute(index, { value: e.target.value })}
                  />
                  <span className="field-error">{fieldError(`attr.${index}.value`)}</span>
                </label>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('devices.registerDialog.removeAttribute', { key: row.key || index + 1 })}
                  onClick={() => setForm({ ...form, attributes: form.attributes.filter((_, i) => i !== index) })}
                >
                  −
                </button>
              </div>
            ))}
            <span className="field-error">{fieldError('attributes')}</span>
            <button
              type="button"
              disabled={form.attributes.length >= limits.attributesMax}
              onClick={() => setForm({ ...form, attributes: [...form.attributes, { key: '', value: '' }] })}
            >
              {t('devices.registerDialog.addAttribute')}
            </button>
          </fieldset>
          <FormFooter
            error={serverError}
            busy={busy}
            submitLabel={t('devices.registerDialog.submit')}
            onCancel={onClose}
          />
        </form>
      )}
    </Dialog>
  );
}
