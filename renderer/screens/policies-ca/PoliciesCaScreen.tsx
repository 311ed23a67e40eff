import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Policy } from '../../../preload/contract';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useCas } from '../../state/ca-store';
import { useNotices } from '../../state/notice-store';
import { usePolicies } from '../../state/policies-store';
import { CasPanel } from './CasPanel';
import { KeyStoreBanner } from './KeyStoreBanner';
import { PoliciesPanel } from './PoliciesPanel';
import { type EditorTarget, PolicyEditor } from './PolicyEditor';

/** The key store, the CAs and their chains, and the policies that say what gets issued. */
export function PoliciesCaScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const loadCas = useCas((s) => s.load);
  const loadPolicies = usePolicies((s) => s.load);
  const [editing, setEditing] = useState<EditorTarget | null>(null);
  // The area opens with either permission; the half one cannot read is not loaded (that would be
  // a refused, audited call) and not shown.
  const canSeeCas = useCan('cas.view');
  const canSeePolicies = useCan('policies.view');
  const canManagePolicies = useCan('policies.manage');

  useEffect(() => {
    const offs: (() => void)[] = [];
    if (canSeeCas) {
      void loadCas();
      offs.push(client().on('cas.changed', () => void loadCas()));
    }
    if (canSeePolicies) {
      void loadPolicies();
      offs.push(client().on('policies.changed', () => void loadPolicies()));
    }
    return () => offs.forEach((off) => off());
  }, [loadCas, loadPolicies, canSeeCas, canSeePolicies]);

  // The editor starts from the station's current copy, not from a list that may be out of date.
  const edit = async (policy: Policy) => {
    const result = await client().call('policies.get', { id: policy.id });
    if (!result.ok) return show('error', errorText(result.error));
    setEditing({ kind: 'edit', policy: result.value });
  };

  return (
    <section className="screen screen-policies" aria-labelledby="policies-ca-title">
      <header className="screen-header">
        <h1 id="policies-ca-title">{t('policiesCa.title')}</h1>
      </header>
      {canSeeCas ? <KeyStoreBanner /> : null}
      {canSeeCas ? <CasPanel /> : null}
      {!canSeePolicies ? null : editing ? (
        <PolicyEditor
          key={editing.kind === 'edit' ? editing.policy.id : 'new'}
          target={editing}
          onClose={() => setEditing(null)}
          onSaved={(policy, created) => {
            setEditing(null);
            show('success', t(created ? 'policies.created' : 'policies.saved', { name: policy.name }));
            void loadPolicies();
          }}
        />
      ) : (
        <PoliciesPanel
          onNew={canManagePolicies ? () => setEditing({ kind: 'new' }) : null}
          onEdit={(policy) => void edit(policy)}
        />
      )}
    </section>
  );
}
