import { useTranslation } from 'react-i18next';
import { type PolicyBody, policyUsages } from '../../../preload/contract';
import { signingCas, useCas } from '../../state/ca-store';
import { profileKey } from './labels';
import type { SectionProps } from './section-props';

const profiles = Object.keys(profileKey) as PolicyBody['profile'][];

export function PolicyGeneralSection({ form, set, problem }: SectionProps) {
  const { t } = useTranslation();
  const issuers = signingCas(useCas((s) => s.cas));
  // A policy being edited keeps showing its CA even if that CA is not ready any more.
  const knownIssuer = form.issuingCaId === '' || issuers.some((ca) => ca.id === form.issuingCaId);
  return (
    <fieldset className="editor-section">
      <legend>{t('policies.editor.general')}</legend>
      <label className="field">
        <span>{t('policies.editor.name')}</span>
        <input
          name="name"
          value={form.name}
          aria-invalid={problem('name') !== null}
          onChange={(e) => set('name', e.target.value)}
        />
        <span className="field-error">{problem('name')}</span>
      </label>
      <label className="field">
        <span>{t('policies.editor.description')}</span>
        <textarea
          name="description"
          value={form.description}
          aria-invalid={problem('description') !== null}
          onChange={(e) => set('description', e.target.value)}
        />
        <span className="field-error">{problem('description')}</span>
      </label>
      <div className="field-row">
        <label className="field">
          <span>{t('policies.editor.usage')}</span>
          <select name="usage" value={form.usage} onChange={(e) => set('usage', e.target.value as PolicyBody['usage'])}>
            {policyUsages.map((u) => (
              <option key={u} value={u}>
                {t(`policies.usage.${u}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('policies.editor.profile')}</span>
          <select
            name="profile"
            value={form.profile}
            onChange={(e) => set('profile', e.target.value as PolicyBody['profile'])}
          >
            {profiles.map((p) => (
              <option key={p} value={p}>
                {t(`policies.profile.${profileKey[p]}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        <span>{t('policies.editor.issuingCa')}</span>
        <select
          name="issuingCaId"
          value={form.issuingCaId}
          aria-invalid={problem('issuingCaId') !== null}
          onChange={(e) => set('issuingCaId', e.target.value)}
        >
          <option value="">{t('policies.editor.chooseIssuingCa')}</option>
          {knownIssuer ? null : <option value={form.issuingCaId}>{t('policies.editor.currentIssuingCa')}</option>}
          {issuers.map((ca) => (
            <option key={ca.id} value={ca.id}>
              {ca.name}
            </option>
          ))}
        </select>
        <span className="field-error">{problem('issuingCaId')}</span>
      </label>
      {issuers.length === 0 ? <p className="help">{t('policies.editor.noIssuingCa')}</p> : null}
    </fieldset>
  );
}
