import { useTranslation } from 'react-i18next';
import type { CertificateSummary } from '../../../preload/contract';
import { formatCertificateTime } from './format';

function CertificateFields({ cert }: { cert: CertificateSummary }) {
  const { t, i18n } = useTranslation();
  const constraints = !cert.isCa
    ? t('cas.cert.endEntity')
    : cert.pathLength === null
      ? t('cas.cert.caNoLimit')
      : t('cas.cert.caPathLength', { n: cert.pathLength });
  return (
    <div className="chain-cert" data-testid="chain-cert">
      <div className="chain-cert-subject">
        <span className="mono">{cert.subject}</span>
        {cert.selfSigned ? <span className="badge">{t('cas.cert.selfSigned')}</span> : null}
      </div>
      <dl className="cert-fields">
        <dt>{t('cas.cert.issuer')}</dt>
        <dd className="mono">{cert.issuer}</dd>
        <dt>{t('cas.cert.validity')}</dt>
        <dd>
          {t('cas.cert.validityRange', {
            from: formatCertificateTime(cert.notBefore, i18n.language),
            to: formatCertificateTime(cert.notAfter, i18n.language),
          })}
        </dd>
        <dt>{t('cas.cert.serial')}</dt>
        <dd className="mono">{cert.serialNumber}</dd>
        <dt>{t('cas.cert.fingerprint')}</dt>
        <dd className="mono">{cert.sha256Fingerprint}</dd>
        <dt>{t('cas.cert.constraints')}</dt>
        <dd>{constraints}</dd>
      </dl>
    </div>
  );
}

/** One certificate and, indented below it, the one it issued: the chain read from the root down. */
function ChainLevel({ certs }: { certs: CertificateSummary[] }) {
  const [cert, ...below] = certs;
  if (!cert) return null;
  return (
    <li>
      <CertificateFields cert={cert} />
      {below.length > 0 ? (
        <ol>
          <ChainLevel certs={below} />
        </ol>
      ) : null}
    </li>
  );
}

/** The contract lists a chain leaf-most first; people read it from the root down. */
export function CertificateChain({ chain, label }: { chain: CertificateSummary[]; label: string }) {
  return (
    <ol className="chain" aria-label={label}>
      <ChainLevel certs={[...chain].reverse()} />
    </ol>
  );
}
