import { useTranslation } from 'react-i18next';
import { type PolicyBody, type SubjectAttributeType, subjectAttributeTypes } from '../../../preload/contract';
import type { SubjectRow } from './policy-form';
import type { SectionProps } from './section-props';

const maxFields = 16;

/** The subject as a list of templated attributes; OU and others may appear more than once. */
export function SubjectRowsEditor({ form, set, problem }: SectionProps) {
  const { t } = useTranslation();
  const rows = form.subject;
  const setRow = (index: number, patch: Partial<SubjectRow>) =>
    set(
      'subject',
      rows.map((row, i) => (i === index ? { ...row, ...patch } : row)),
    );
  return (
    <fieldset className="editor-section">
      <legend>{t('policies.editor.subject')}</legend>
      <p className="help">{t('policies.editor.templateHelp')}</p>
      {rows.map((row, index) => (
        <div className="template-row" key={index} data-testid="subject-row">
          <label className="field">
            <span>{t('policies.editor.attributeType')}</span>
            <select
              name={`subject-type-${index}`}
              value={row.type}
              onChange={(e) => setRow(index, { type: e.target.value as SubjectAttributeType })}
            >
              {subjectAttributeTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('policies.editor.valueTemplate')}</span>
            <input
              name={`subject-value-${index}`}
              className="mono"
              value={row.value}
              aria-invalid={problem(`subject.${index}.value`) !== null}
              onChange={(e) => setRow(index, { value: e.target.value })}
            />
          </label>
          <label className="field">
            <span>{t('policies.editor.pattern')}</span>
            <input
              name={`subject-pattern-${index}`}
              className="mono"
              value={row.pattern}
              aria-invalid={problem(`subject.${index}.pattern`) !== null}
              onChange={(e) => setRow(index, { pattern: e.target.value })}
            />
          </label>
          <button
            type="button"
            className="icon-button"
            aria-label={t('policies.editor.removeSubjectField', { type: row.type, n: index + 1 })}
            onClick={() =>
              set(
                'subject',
                rows.filter((_, i) => i !== index),
              )
            }
          >
            −
          </button>
          <span className="field-error template-row-error">{problem(`subject.${index}`)}</span>
        </div>
      ))}
      <span className="field-error">{problem('subject', true)}</span>
      <div className="field-row">
        <button
          type="button"
          disabled={rows.length >= maxFields}
          onClick={() => set('subject', [...rows, { type: 'OU', value: '', pattern: '' }])}
        >
          {t('policies.editor.addSubjectField')}
        </button>
        <label className="field">
          <span>{t('policies.editor.csrSubject')}</span>
          <select
            name="csrSubject"
            value={form.csrSubject}
            onChange={(e) => set('csrSubject', e.target.value as PolicyBody['csrSubject'])}
          >
            <option value="ignore">{t('policies.editor.csrSubjectIgnore')}</option>
            <option value="must-match">{t('policies.editor.csrSubjectMustMatch')}</option>
          </select>
        </label>
      </div>
    </fieldset>
  );
}
