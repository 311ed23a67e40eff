import { useTranslation } from 'react-i18next';
import type { Policy } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { usePolicies } from '../../state/policies-store';
import { PoliciesTable } from './PoliciesTable';

/** `onNew` null: this person may not create policies, so there is no button for it. */
export function PoliciesPanel({ onNew, onEdit }: { onNew: (() => void) | null; onEdit: (policy: Policy) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { policies, loaded, error } = usePolicies();
  return (
    <section className="panel" aria-labelledby="policies-title" data-testid="policies-panel">
      <header className="panel-header">
        <h2 id="policies-title">{t('policies.title')}</h2>
        {onNew ? (
          <button type="button" className="primary" onClick={onNew}>
            {t('policies.new')}
          </button>
        ) : null}
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {loaded && policies.length === 0 && !error ? <p className="empty-state">{t('policies.empty')}</p> : null}
      {policies.length > 0 ? <PoliciesTable policies={policies} onEdit={onEdit} /> : null}
    </section>
  );
}
