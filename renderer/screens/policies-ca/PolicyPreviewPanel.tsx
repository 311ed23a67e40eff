import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PolicyBody } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { formatCertificateTime } from './format';
import { type SampleRow, sampleAttributes } from './policy-form';
import { SampleDeviceFields } from './SampleDeviceFields';
import { usePolicyPreview } from './use-policy-preview';

const initialRows: SampleRow[] = [
  { key: 'serial', value: '000123' },
  { key: 'mac', value: '00:11:22:33:44:55' },
  { key: 'vid', value: 'FFF1' },
  { key: 'pid', value: '8000' },
];

/** Beside the editor: a sample device and the certificate the policy would give it. */
export function PolicyPreviewPanel({ body }: { body: PolicyBody | null }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const [deviceName, setDeviceName] = useState('sample-device');
  const [rows, setRows] = useState(initialRows);
  const attributes = sampleAttributes(rows);
  const sample = attributes ? { deviceName, attributes } : null;
  const { preview, error, pending, stale } = usePolicyPreview(body, sample);

  const status = !body
    ? t('policies.preview.incomplete')
    : !sample
      ? t('policies.preview.sampleIncomplete')
      : pending
        ? t('policies.preview.updating')
        : error
          ? errorText(error)
          : t('policies.preview.upToDate');

  return (
    <aside className="policy-preview" aria-labelledby="policy-preview-title" data-testid="policy-preview">
      <h3 id="policy-preview-title">{t('policies.preview.title')}</h3>
      <SampleDeviceFields
        deviceName={deviceName}
        rows={rows}
        valid={attributes !== null}
        onChange={(patch) => {
          if (patch.deviceName !== undefined) setDeviceName(patch.deviceName);
          if (patch.rows) setRows(patch.rows);
        }}
      />
      <p
        className={error && !pending ? 'form-error' : 'help'}
        role="status"
        aria-live="polite"
        data-testid="preview-status"
      >
        {status}
      </p>
      {preview ? (
        <div className={`preview-result${stale ? ' stale' : ''}`} aria-busy={pending}>
          <dl className="cert-fields">
            <dt>{t('policies.preview.subject')}</dt>
            <dd className="mono" data-testid="preview-subject">
              {preview.subject}
            </dd>
            <dt>{t('policies.preview.sans')}</dt>
            <dd className="mono">
              {preview.subjectAltNames.length === 0 ? t('policies.preview.none') : preview.subjectAltNames.join(', ')}
            </dd>
            <dt>{t('policies.preview.validity')}</dt>
            <dd>
              {t('cas.cert.validityRange', {
                from: formatCertificateTime(preview.notBefore, i18n.language),
                to: formatCertificateTime(preview.notAfter, i18n.language),
              })}
            </dd>
          </dl>
          <h4>{t('policies.preview.extensions')}</h4>
          <table className="data-table compact">
            <thead>
              <tr>
                <th scope="col">{t('policies.preview.extName')}</th>
                <th scope="col">{t('policies.preview.extCritical')}</th>
                <th scope="col">{t('policies.preview.extValue')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.extensions.map((ext, index) => (
                <tr key={`${ext.name}-${index}`}>
                  <td>{ext.name}</td>
                  <td>{ext.critical ? t('policies.preview.critical') : t('policies.preview.notCritical')}</td>
                  <td className="mono">{ext.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>{t('policies.preview.problems')}</h4>
          {preview.problems.length === 0 ? (
            <p className="help">{t('policies.preview.noProblems')}</p>
          ) : (
            <ul className="preview-problems" data-testid="preview-problems">
              {preview.problems.map((problem, index) => (
                <li key={index}>{problem}</li>
              ))}
            </ul>
          )}
          <details className="preview-pem">
            <summary>{t('policies.preview.pem')}</summary>
            <p className="help">{t('policies.preview.pemNote')}</p>
            <textarea className="pem" readOnly value={preview.pem} aria-label={t('policies.preview.pem')} />
          </details>
        </div>
      ) : null}
    </aside>
  );
}
