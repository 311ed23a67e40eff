import { useTranslation } from 'react-i18next';
import type { Ca } from '../../../preload/contract';
import { CertificateChain } from './CertificateChain';

interface CaCardProps {
  ca: Ca;
  onExport: () => void;
  /** null: this person may not import certificates (cas.manage). */
  onImportCertificate: (() => void) | null;
}

export function CaCard({ ca, onExport, onImportCertificate }: CaCardProps) {
  const { t } = useTranslation();
  const awaiting = ca.status === 'awaiting-certificate';
  const root = ca.chain[0]?.selfSigned === true;
  return (
    <li className="ca-card" data-testid="ca-card" aria-labelledby={`ca-${ca.id}-name`}>
      <header className="ca-card-header">
        <h3 id={`ca-${ca.id}-name`}>{ca.name}</h3>
        <span className="badge">
          {ca.kind === 'trust-anchor' ? t('cas.kindTrustAnchor') : root ? t('cas.kindRoot') : t('cas.kindIssuing')}
        </span>
        <span className={`badge ${awaiting ? 'badge-warn' : 'badge-ok'}`} data-testid="ca-status">
          {awaiting ? t('cas.statusAwaiting') : t('cas.statusReady')}
        </span>
        {ca.keyAlgorithm ? <span className="badge mono">{ca.keyAlgorithm}</span> : null}
        <div className="row-actions">
          {awaiting && onImportCertificate ? (
            <button type="button" onClick={onImportCertificate}>
              {t('cas.importCertificate')}
            </button>
          ) : null}
          <button type="button" onClick={onExport}>
            {awaiting ? t('cas.exportCsr') : t('cas.export')}
          </button>
        </div>
      </header>
      {awaiting ? (
        <p className="help">{t('cas.awaitingHelp')}</p>
      ) : (
        <CertificateChain chain={ca.chain} label={t('cas.chainLabel', { name: ca.name })} />
      )}
    </li>
  );
}
