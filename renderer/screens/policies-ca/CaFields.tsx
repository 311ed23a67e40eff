import { useTranslation } from 'react-i18next';
import { caKeyAlgorithms, type CaKeyAlgorithm } from '../../../preload/contract';
import type { CaForm, CaFormErrors } from './ca-form';

interface CaFieldsProps {
  form: CaForm;
  errors: CaFormErrors;
  onChange: (patch: Partial<CaForm>) => void;
  withCountry: boolean;
  withValidity: boolean;
}

/** Name, subject and key algorithm: what creating a root CA and an issuing CA have in common. */
export function CaFields({ form, errors, onChange, withCountry, withValidity }: CaFieldsProps) {
  const { t } = useTranslation();
  const error = (field: keyof CaForm) => {
    const e = errors[field];
    return e ? t(e.key, e.values) : null;
  };
  const text = (field: 'name' | 'commonName' | 'organization' | 'country', label: string, autoFocus = false) => (
    <label className="field">
      <span>{label}</span>
      <input
        name={field}
        value={form[field]}
        autoFocus={autoFocus}
        aria-invalid={errors[field] !== undefined}
        onChange={(e) => onChange({ [field]: field === 'country' ? e.target.value.toUpperCase() : e.target.value })}
      />
      <span className="field-error">{error(field)}</span>
    </label>
  );
  return (
    <>
      {text('name', t('cas.form.name'), true)}
      <p className="help">{t('cas.form.nameHelp')}</p>
      {text('commonName', t('cas.form.commonName'))}
      <div className="field-row">
        {text('organization', t('cas.form.organization'))}
        {withCountry ? text('country', t('cas.form.country')) : null}
      </div>
      <div className="field-row">
        <label className="field">
          <span>{t('cas.form.algorithm')}</span>
          <select
            name="algorithm"
            value={form.algorithm}
            onChange={(e) => onChange({ algorithm: e.target.value as CaKeyAlgorithm })}
          >
            {caKeyAlgorithms.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        {withValidity ? (
          <label className="field">
            <span>{t('cas.form.validityDays')}</span>
            <input
              name="validityDays"
              inputMode="numeric"
              value={form.validityDays}
              aria-invalid={errors.validityDays !== undefined}
              onChange={(e) => onChange({ validityDays: e.target.value })}
            />
            <span className="field-error">{error('validityDays')}</span>
          </label>
        ) : null}
      </div>
    </>
  );
}
