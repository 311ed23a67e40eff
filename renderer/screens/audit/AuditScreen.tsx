import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../components/use-error-text';
import { useAudit } from '../../state/audit-store';
import { useNotices } from '../../state/notice-store';
import { downloadText } from '../qa/download';
import { AuditFilters } from './AuditFilters';
import { AuditTable } from './AuditTable';
import { ChainCheck } from './ChainCheck';

/** Who did what and when, filtered, exported, and the chain that proves nobody rewrote it. */
export function AuditScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { entries, nextBeforeSeq, busy, error, verification, search, loadOlder, exportCsv, verify } = useAudit();
  const [exporting, setExporting] = useState(false);

  useEffect(() => {
    void useAudit.getState().search({});
  }, []);

  const onExport = async () => {
    setExporting(true);
    const result = await exportCsv();
    setExporting(false);
    if (!result.ok) return show('error', errorText(result.error));
    downloadText(result.value.csv, result.value.filename, 'text/csv;charset=utf-8');
    show('success', t('audit.exported', { file: result.value.filename, rows: result.value.rows }));
  };

  return (
    <section className="screen screen-audit" aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">{t('audit.title')}</h1>
        <span className="count" data-testid="audit-count">
          {t('audit.shown', { count: entries.length })}
        </span>
        <button type="button" disabled={exporting} data-testid="audit-export" onClick={() => void onExport()}>
          {t('audit.export')}
        </button>
        <button type="button" data-testid="audit-verify" onClick={() => void verify()}>
          {t('audit.verify')}
        </button>
      </header>
      {verification ? <ChainCheck verification={verification} /> : null}
      <AuditFilters onSearch={(filter) => void search(filter)} />
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {entries.length > 0 ? (
        <AuditTable entries={entries} />
      ) : (
        <p className="empty-state">{busy ? t('common.loading') : t('audit.empty')}</p>
      )}
      {nextBeforeSeq !== null ? (
        <button type="button" disabled={busy} data-testid="audit-load-older" onClick={() => void loadOlder()}>
          {t('audit.loadOlder')}
        </button>
      ) : null}
    </section>
  );
}
