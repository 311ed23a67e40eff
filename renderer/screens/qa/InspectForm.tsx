import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQa } from '../../state/qa-store';

type By = 'port' | 'serial';

/** A sampled device is read back on a port; a device no longer at hand is checked against its record. */
export function InspectForm() {
  const { t } = useTranslation();
  const { inspect, busy } = useQa();
  const [by, setBy] = useState<By>('port');
  const [value, setValue] = useState('');
  const [missing, setMissing] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = value.trim();
    setMissing(trimmed === '');
    if (!trimmed) return;
    void inspect(by === 'port' ? { port: trimmed } : { serialNumber: trimmed });
  };

  return (
    <form className="qa-inspect" onSubmit={submit} noValidate data-testid="qa-inspect">
      <fieldset className="radio-row">
        <legend>{t('qa.inspectBy')}</legend>
        {(['port', 'serial'] as const).map((option) => (
          <label key={option} className="checkbox">
            <input type="radio" name="inspect-by" checked={by === option} onChange={() => setBy(option)} />
            <span>{t(`qa.by.${option}`)}</span>
          </label>
        ))}
      </fieldset>
      <label className="field field-wide">
        <span>{by === 'port' ? t('qa.portPath') : t('qa.serialNumber')}</span>
        <input
          value={value}
          maxLength={512}
          placeholder={by === 'port' ? t('qa.portPlaceholder') : ''}
          aria-invalid={missing}
          onChange={(e) => setValue(e.target.value)}
        />
        <span className="field-error">{missing ? t('validation.required') : null}</span>
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('qa.inspecting') : t('qa.inspect')}
      </button>
    </form>
  );
}
