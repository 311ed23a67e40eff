import { useTranslation } from 'react-i18next';
import { limits } from '../../../preload/contract';
import type { SampleRow } from './policy-form';

interface SampleDeviceFieldsProps {
  deviceName: string;
  rows: SampleRow[];
  valid: boolean;
  onChange: (patch: { deviceName?: string; rows?: SampleRow[] }) => void;
}

/** The made-up device the preview renders the templates for. */
export function SampleDeviceFields({ deviceName, rows, valid, onChange }: SampleDeviceFieldsProps) {
  const { t } = useTranslation();
  const setRow = (index: number, patch: Partial<SampleRow>) =>
    onChange({ rows: rows.map((row, i) => (i === index ? { ...row, ...patch } : row)) });
  return (
    <fieldset className="sample-device">
      <legend>{t('policies.preview.sample')}</legend>
      <label className="field">
        <span>{t('policies.preview.deviceName')}</span>
        <input
          name="sample-device-name"
          value={deviceName}
          onChange={(e) => onChange({ deviceName: e.target.value })}
        />
      </label>
      {rows.map((row, index) => (
        <div className="sample-row" key={index}>
          <input
            name={`sample-key-${index}`}
            aria-label={t('policies.preview.key', { n: index + 1 })}
            value={row.key}
            onChange={(e) => setRow(index, { key: e.target.value })}
          />
          <span aria-hidden="true">=</span>
          <input
            name={`sample-value-${index}`}
            aria-label={t('policies.preview.value', { key: row.key || index + 1 })}
            value={row.value}
            onChange={(e) => setRow(index, { value: e.target.value })}
          />
          <button
            type="button"
            className="icon-button"
            aria-label={t('policies.preview.removeAttribute', { key: row.key || index + 1 })}
            onClick={() => onChange({ rows: rows.filter((_, i) => i !== index) })}
          >
            −
          </button>
        </div>
      ))}
      {valid ? null : <span className="field-error">{t('policies.preview.sampleInvalid')}</span>}
      <button
        type="button"
        disabled={rows.length >= limits.attributesMax}
        onClick={() => onChange({ rows: [...rows, { key: '', value: '' }] })}
      >
        {t('policies.preview.addAttribute')}
      </button>
    </fieldset>
  );
}
