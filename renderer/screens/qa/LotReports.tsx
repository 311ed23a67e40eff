import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { useQa } from '../../state/qa-store';
import { downloadReport } from './download';

/** A lot's QA report, as CSV for the spreadsheet or PDF for the customer's file. */
export function LotReports() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { runs, loadRuns, report } = useQa();
  const [picked, setPicked] = useState('');
  const [busy, setBusy] = useState(false);
  const runId = picked || runs[0]?.id || '';

  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  const exportAs = async (format: 'csv' | 'pdf') => {
    if (!runId) return;
    setBusy(true);
    const result = await report(runId, format);
    setBusy(false);
    if (!result.ok) return show('error', errorText(result.error));
    downloadReport(result.report);
    show('success', t('qa.exported', { file: result.report.fileName, rows: result.report.rows }));
  };

  return (
    <section className="qa-reports" aria-labelledby="qa-reports-title" data-testid="qa-reports">
      <h2 id="qa-reports-title">{t('qa.reports')}</h2>
      {runs.length === 0 ? (
        <p className="empty-state">{t('qa.noRuns')}</p>
      ) : (
        <div className="line-controls">
          <label className="field field-wide">
            <span>{t('qa.lotPicker')}</span>
            <select value={runId} onChange={(e) => setPicked(e.target.value)} data-testid="lot-select">
              {runs.map((run) => (
                <option key={run.id} value={run.id}>
                  {t('qa.runOption', { lot: run.lot, recipe: run.recipeName, passed: run.passed, failed: run.failed })}
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={busy} onClick={() => void exportAs('csv')}>
            {t('qa.exportCsv')}
          </button>
          <button type="button" disabled={busy} onClick={() => void exportAs('pdf')}>
            {t('qa.exportPdf')}
          </button>
          <button type="button" onClick={() => void loadRuns()}>
            {t('qa.refreshRuns')}
          </button>
        </div>
      )}
    </section>
  );
}
