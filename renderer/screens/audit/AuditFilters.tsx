import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditFilter } from '../../../preload/contract';
import { emptyFields, type FilterFields, toFilter } from './filter-form';

const textFields = ['actor', 'action', 'subject'] as const;
const timeFields = ['from', 'to'] as const;

/** Filters apply on submit (Enter or the button), not per keystroke: each search walks the log. */
export function AuditFilters({ onSearch }: { onSearch: (filter: AuditFilter) => void }) {
  const { t } = useTranslation();
  const [fields, setFields] = useState<FilterFields>(emptyFields);
  const change = (key: keyof FilterFields) => (e: { target: { value: string } }) =>
    setFields((before) => ({ ...before, [key]: e.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(toFilter(fields));
  };
  const clear = () => {
    setFields(emptyFields);
    onSearch({});
  };

  return (
    <form className="filters" onSubmit={submit} data-testid="audit-filters">
      {textFields.map((key) => (
        <label key={key} className="field">
          <span>{t(`audit.${key}`)}</span>
          <input value={fields[key]} maxLength={256} data-testid={`audit-filter-${key}`} onChange={change(key)} />
        </label>
      ))}
      {timeFields.map((key) => (
        <label key={key} className="field">
          <span>{t(`audit.${key}`)}</span>
          <input type="datetime-local" value={fields[key]} data-testid={`audit-filter-${key}`} onChange={change(key)} />
        </label>
      ))}
      <button type="submit" className="primary audit-apply" data-testid="audit-apply">
        {t('audit.apply')}
      </button>
      <button type="button" className="filters-clear" onClick={clear}>
        {t('audit.clear')}
      </button>
    </form>
  );
}
