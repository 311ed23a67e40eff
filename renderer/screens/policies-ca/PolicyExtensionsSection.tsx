import { useTranslation } from 'react-i18next';
import { extendedKeyUsageNames, keyUsages } from '../../../preload/contract';
import { CheckboxGroup } from '../../components/CheckboxGroup';
import type { SectionProps } from './section-props';

/** Key usage, extended key usage, basicConstraints and where relying parties find CRL, issuer and policies. */
export function PolicyExtensionsSection({ form, set, problem }: SectionProps) {
  const { t } = useTranslation();
  const eku = form.extendedKeyUsage;
  const aia = form.authorityInfoAccess;
  return (
    <fieldset className="editor-section">
      <legend>{t('policies.editor.extensions')}</legend>
      <CheckboxGroup
        name="keyUsage"
        legend={t('policies.editor.keyUsage')}
        options={keyUsages}
        selected={form.keyUsage}
        onChange={(v) => set('keyUsage', v)}
        error={problem('keyUsage')}
      />
      <label className="checkbox">
        <input
          type="checkbox"
          name="keyUsageCritical"
          checked={form.keyUsageCritical}
          onChange={(e) => set('keyUsageCritical', e.target.checked)}
        />
        <span>{t('policies.editor.keyUsageCritical')}</span>
      </label>
      <CheckboxGroup
        name="extendedKeyUsage"
        legend={t('policies.editor.extendedKeyUsage')}
        options={extendedKeyUsageNames}
        selected={eku.named}
        onChange={(named) => set('extendedKeyUsage', { ...eku, named })}
      />
      <label className="field">
        <span>{t('policies.editor.ekuOids')}</span>
        <input
          name="ekuOids"
          className="mono"
          value={eku.oids}
          placeholder={t('policies.editor.oidPlaceholder')}
          aria-invalid={problem('extendedKeyUsage') !== null}
          onChange={(e) => set('extendedKeyUsage', { ...eku, oids: e.target.value })}
        />
        <span className="field-error">{problem('extendedKeyUsage')}</span>
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          name="basicConstraintsCritical"
          checked={form.basicConstraintsCritical}
          onChange={(e) => set('basicConstraintsCritical', e.target.checked)}
        />
        <span>{t('policies.editor.basicConstraintsCritical')}</span>
      </label>
      <label className="field">
        <span>{t('policies.editor.crl')}</span>
        <input
          name="crlDistributionPoint"
          type="url"
          value={form.crlDistributionPoint}
          aria-invalid={problem('crlDistributionPoint') !== null}
          onChange={(e) => set('crlDistributionPoint', e.target.value)}
        />
        <span className="field-error">{problem('crlDistributionPoint')}</span>
      </label>
      <div className="field-row">
        <label className="field field-grow">
          <span>{t('policies.editor.aiaCaIssuers')}</span>
          <input
            name="aiaCaIssuers"
            type="url"
            value={aia.caIssuers}
            aria-invalid={problem('authorityInfoAccess.caIssuers') !== null}
            onChange={(e) => set('authorityInfoAccess', { ...aia, caIssuers: e.target.value })}
          />
        </label>
        <label className="field field-grow">
          <span>{t('policies.editor.aiaOcsp')}</span>
          <input
            name="aiaOcsp"
            type="url"
            value={aia.ocsp}
            aria-invalid={problem('authorityInfoAccess.ocsp') !== null}
            onChange={(e) => set('authorityInfoAccess', { ...aia, ocsp: e.target.value })}
          />
        </label>
      </div>
      <span className="field-error">{problem('authorityInfoAccess')}</span>
      <label className="field">
        <span>{t('policies.editor.certificatePolicies')}</span>
        <input
          name="certificatePolicies"
          className="mono"
          value={form.certificatePolicies}
          placeholder={t('policies.editor.oidPlaceholder')}
          aria-invalid={problem('certificatePolicies') !== null}
          onChange={(e) => set('certificatePolicies', e.target.value)}
        />
        <span className="field-error">{problem('certificatePolicies')}</span>
      </label>
    </fieldset>
  );
}
