import { useTranslation } from 'react-i18next';
import type { QaInspection } from '../../../preload/contract';
import { CheckList } from './CheckList';
import { VerdictForm } from './VerdictForm';

/** What the inspection found, then the verdict form: the technician reads before deciding. */
export function InspectionResult({ inspection }: { inspection: QaInspection }) {
  const { t } = useTranslation();
  const cert = inspection.certificate;
  return (
    <article className="qa-result" data-testid="qa-result" aria-labelledby="qa-result-title">
      <header className="qa-result-header">
        <h2 id="qa-result-title">{t('qa.resultTitle', { serial: inspection.serialNumber })}</h2>
        <p
          className={inspection.ok ? 'qa-overall qa-overall-pass' : 'qa-overall qa-overall-fail'}
          data-testid="qa-overall"
        >
          <span aria-hidden="true">{inspection.ok ? '✓' : '✕'}</span>{' '}
          {inspection.ok ? t('qa.allPassed') : t('qa.someFailed')}
        </p>
      </header>
      <dl className="details-list">
        <dt>{t('qa.source')}</dt>
        <dd>{t(`qa.sources.${inspection.source}`)}</dd>
        <dt>{t('qa.lot')}</dt>
        <dd>{inspection.lot ?? t('qa.none')}</dd>
      </dl>
      <CheckList checks={inspection.checks} />
      <h3>{t('qa.certificate')}</h3>
      {cert ? (
        <dl className="details-list" data-testid="qa-certificate">
          <dt>{t('qa.cert.subject')}</dt>
          <dd>{cert.subject}</dd>
          <dt>{t('qa.cert.serial')}</dt>
          <dd className="mono">{cert.serial}</dd>
          <dt>{t('qa.cert.validity')}</dt>
          <dd>{t('qa.cert.validityRange', { from: cert.notBefore, to: cert.notAfter })}</dd>
          <dt>{t('qa.cert.keyType')}</dt>
          <dd>{cert.keyType}</dd>
        </dl>
      ) : (
        <p className="empty-state">{t('qa.noCertificate')}</p>
      )}
      <VerdictForm key={inspection.id} serialNumber={inspection.serialNumber} />
    </article>
  );
}
