import { useTranslation } from 'react-i18next';
import { emptySanRow, type SanRow, type SanType } from './policy-form';
import type { SectionProps } from './section-props';

const sanTypes: readonly SanType[] = ['dns', 'uri', 'email', 'ip', 'hardwareModuleName'];
const maxSans = 16;

export function SanRowsEditor({ form, set, problem }: SectionProps) {
  const { t } = useTranslation();
  const rows = form.subjectAltNames;
  const setRow = (index: number, patch: Partial<SanRow>) =>
    set(
      'subjectAltNames',
      rows.map((row, i) => (i === index ? { ...row, ...patch } : row)),
    );
  return (
    <fieldset className="editor-section">
      <legend>{t('policies.editor.sans')}</legend>
      {rows.length === 0 ? <p className="help">{t('policies.editor.noSans')}</p> : null}
      {rows.map((row, index) => (
        <div className="template-row" key={index} data-testid="san-row">
          <label className="field">
            <span>{t('policies.editor.sanType')}</span>
            <select
              name={`san-type-${index}`}
              value={row.type}
              onChange={(e) => setRow(index, { type: e.target.value as SanType })}
            >
              {sanTypes.map((type) => (
                <option key={type} value={type}>
                  {t(`policies.editor.sanTypes.${type}`)}
                </option>
              ))}
            </select>
          </label>
          {row.type === 'hardwareModuleName' ? (
            <>
              <label className="field">
                <span>{t('policies.editor.hwType')}</span>
                <input
                  name={`san-hwtype-${index}`}
                  className="mono"
                  value={row.hwType}
                  aria-invalid={problem(`subjectAltNames.${index}.hwType`) !== null}
                  onChange={(e) => setRow(index, { hwType: e.target.value })}
                />
              </label>
              <label className="field">
                <span>{t('policies.editor.hwSerial')}</span>
                <input
                  name={`san-serial-${index}`}
                  className="mono"
                  value={row.serial}
                  aria-invalid={problem(`subjectAltNames.${index}.serial`) !== null}
                  onChange={(e) => setRow(index, { serial: e.target.value })}
                />
              </label>
            </>
          ) : (
            <label className="field template-row-wide">
              <span>{t('policies.editor.valueTemplate')}</span>
              <input
                name={`san-value-${index}`}
                className="mono"
                value={row.value}
                aria-invalid={problem(`subjectAltNames.${index}.value`) !== null}
                onChange={(e) => setRow(index, { value: e.target.value })}
              />
            </label>
          )}
          <button
            type="button"
            className="icon-button"
            aria-label={t('policies.editor.removeSan', { n: index + 1 })}
            onClick={() =>
              set(
                'subjectAltNames',
                rows.filter((_, i) => i !== index),
              )
            }
          >
            −
          </button>
          <span className="field-error template-row-error">{problem(`subjectAltNames.${index}`)}</span>
        </div>
      ))}
      <span className="field-error">{problem('subjectAltNames', true)}</span>
      <div>
        <button
          type="button"
          disabled={rows.length >= maxSans}
          onClick={() => set('subjectAltNames', [...rows, emptySanRow()])}
        >
          {t('policies.editor.addSan')}
        </button>
      </div>
    </fieldset>
  );
}
