import { useTranslation } from 'react-i18next';
import { keyGenerationTypes, type PolicyBody, policyKeyTypes } from '../../../preload/contract';
import { CheckboxGroup } from '../../components/CheckboxGroup';
import { keyGenerationKey } from './labels';
import { neverExpires } from './policy-form';
import type { SectionProps } from './section-props';

const signatureHashes: readonly PolicyBody['signatureHash'][] = ['SHA-256', 'SHA-384'];

/** The device's key, how it is signed, and how long the certificate lives. */
export function PolicyKeySection({ form, set, problem }: SectionProps) {
  const { t } = useTranslation();
  const validity = form.validity;
  return (
    <fieldset className="editor-section">
      <legend>{t('policies.editor.keys')}</legend>
      <CheckboxGroup
        name="allowedKeyTypes"
        legend={t('policies.editor.allowedKeyTypes')}
        options={policyKeyTypes}
        selected={form.allowedKeyTypes}
        onChange={(v) => set('allowedKeyTypes', v)}
        error={problem('allowedKeyTypes')}
      />
      <div className="field-row">
        <label className="field">
          <span>{t('policies.editor.rsaMinimumBits')}</span>
          <input
            name="rsaMinimumBits"
            inputMode="numeric"
            value={form.rsaMinimumBits}
            aria-invalid={problem('rsaMinimumBits') !== null}
            onChange={(e) => set('rsaMinimumBits', e.target.value)}
          />
          <span className="field-error">{problem('rsaMinimumBits')}</span>
        </label>
        <label className="field">
          <span>{t('policies.editor.signatureHash')}</span>
          <select
            name="signatureHash"
            value={form.signatureHash}
            onChange={(e) => set('signatureHash', e.target.value as PolicyBody['signatureHash'])}
          >
            {signatureHashes.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
      </div>
      <CheckboxGroup
        name="keyGeneration"
        legend={t('policies.editor.keyGeneration')}
        options={keyGenerationTypes}
        selected={form.keyGeneration}
        labelOf={(k) => t(`policies.editor.keyGenerationTypes.${keyGenerationKey[k]}`)}
        onChange={(v) => set('keyGeneration', v)}
        error={problem('keyGeneration')}
      />
      <fieldset className="validity" aria-invalid={problem('validity') !== null}>
        <legend>{t('policies.editor.validity')}</legend>
        <div className="field-row">
          <label className="checkbox">
            <input
              type="radio"
              name="validityKind"
              checked={validity.kind === 'days'}
              onChange={() => set('validity', { ...validity, kind: 'days' })}
            />
            <span>{t('policies.editor.validityDays')}</span>
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="validityKind"
              checked={validity.kind === 'fixed'}
              onChange={() => set('validity', { ...validity, kind: 'fixed' })}
            />
            <span>{t('policies.editor.validityFixed')}</span>
          </label>
        </div>
        {validity.kind === 'days' ? (
          <label className="field">
            <span>{t('policies.editor.days')}</span>
            <input
              name="validityDays"
              inputMode="numeric"
              value={validity.days}
              aria-invalid={problem('validity') !== null}
              onChange={(e) => set('validity', { ...validity, days: e.target.value })}
            />
          </label>
        ) : (
          <div className="field-row">
            <label className="field">
              <span>{t('policies.editor.notAfter')}</span>
              <input
                name="validityNotAfter"
                className="mono"
                value={validity.notAfter}
                placeholder={t('policies.editor.notAfterPlaceholder')}
                aria-invalid={problem('validity') !== null}
                onChange={(e) => set('validity', { ...validity, notAfter: e.target.value })}
              />
            </label>
            <button
              type="button"
              className="field-button"
              onClick={() => set('validity', { ...validity, notAfter: neverExpires })}
            >
              {t('policies.editor.neverExpires', { value: neverExpires })}
            </button>
          </div>
        )}
        <span className="field-error">{problem('validity')}</span>
      </fieldset>
    </fieldset>
  );
}
