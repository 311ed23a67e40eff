import { useTranslation } from 'react-i18next';
import type { OperatorAttributeRow } from './recipe-form';

interface OperatorAttributesEditorProps {
  rows: OperatorAttributeRow[];
  invalid: boolean;
  onChange: (rows: OperatorAttributeRow[]) => void;
}

/** At most four: each one is a label the operator must scan for every device. */
const MAX_ROWS = 4;

/** Labels the operator scans per device (e.g. the board label), each with an optional pattern. */
export function OperatorAttributesEditor({ rows, invalid, onChange }: OperatorAttributesEditorProps) {
  const { t } = useTranslation();
  const update = (index: number, patch: Partial<OperatorAttributeRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset className="attributes" aria-invalid={invalid}>
      <legend>{t('line.recipeDialog.operatorAttributes')}</legend>
      <p className="help">{t('line.recipeDialog.operatorAttributesHelp')}</p>
      {rows.map((row, index) => (
        <div className="operator-attribute-row" key={index}>
          <label className="field">
            <span>{t('line.recipeDialog.attributeKey')}</span>
            <input value={row.key} maxLength={64} onChange={(e) => update(index, { key: e.target.value })} />
          </label>
          <label className="field">
            <span>{t('line.recipeDialog.attributeLabel')}</span>
            <input value={row.label} maxLength={128} onChange={(e) => update(index, { label: e.target.value })} />
          </label>
          <label className="field">
            <span>{t('line.recipeDialog.attributePattern')}</span>
            <input
              value={row.pattern}
              maxLength={256}
              placeholder={t('line.recipeDialog.patternPlaceholder')}
              onChange={(e) => update(index, { pattern: e.target.value })}
            />
          </label>
          <button
            type="button"
            className="icon-button"
            aria-label={t('line.recipeDialog.removeAttribute', { n: index + 1 })}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            ×
          </button>
        </div>
      ))}
      {invalid ? <p className="field-error">{t('line.recipeDialog.invalid.operatorAttributes')}</p> : null}
      {rows.length < MAX_ROWS ? (
        <button type="button" onClick={() => onChange([...rows, { key: '', label: '', pattern: '' }])}>
          {t('line.recipeDialog.addAttribute')}
        </button>
      ) : null}
    </fieldset>
  );
}
