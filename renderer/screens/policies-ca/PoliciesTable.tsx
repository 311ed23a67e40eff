import { useTranslation } from 'react-i18next';
import type { Policy } from '../../../preload/contract';
import { neverExpires } from './policy-form';
import { formatCertificateTime } from './format';
import { profileKey } from './labels';

export function PoliciesTable({ policies, onEdit }: { policies: Policy[]; onEdit: (policy: Policy) => void }) {
  const { t, i18n } = useTranslation();
  const validity = (policy: Policy) => {
    const v = policy.validity;
    if (v.kind === 'days') return t('policies.validityDays', { count: v.days });
    if (v.notAfter === neverExpires) return t('policies.validityNever');
    return t('policies.validityFixed', { date: formatCertificateTime(v.notAfter, i18n.language) });
  };
  return (
    <table className="data-table" aria-labelledby="policies-title" data-testid="policies-table">
      <thead>
        <tr>
          <th scope="col">{t('policies.colName')}</th>
          <th scope="col">{t('policies.colUsage')}</th>
          <th scope="col">{t('policies.colProfile')}</th>
          <th scope="col">{t('policies.colIssuingCa')}</th>
          <th scope="col">{t('policies.colKeyTypes')}</th>
          <th scope="col">{t('policies.colValidity')}</th>
          <th scope="col">{t('policies.colActions')}</th>
        </tr>
      </thead>
      <tbody>
        {policies.map((policy) => (
          <tr key={policy.id} data-testid="policy-row">
            <td className="cell-name">{policy.name}</td>
            <td>{t(`policies.usage.${policy.usage}`)}</td>
            <td>{t(`policies.profile.${profileKey[policy.profile]}`)}</td>
            <td>{policy.issuingCaName}</td>
            <td className="mono">{policy.allowedKeyTypes.join(', ')}</td>
            <td>{validity(policy)}</td>
            <td>
              <div className="row-actions">
                <button
                  type="button"
                  aria-label={t('policies.editNamed', { name: policy.name })}
                  onClick={() => onEdit(policy)}
                >
                  {t('policies.edit')}
                </button>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
