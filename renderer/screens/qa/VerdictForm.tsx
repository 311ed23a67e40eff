import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { useQa } from '../../state/qa-store';

/** The technician's verdict on this inspection, filed with their name; the station keeps the checks with it. */
export function VerdictForm({ serialNumber }: { serialNumber: string }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const recordVerdict = useQa((s) => s.recordVerdict);
  const [technician, setTechnician] = useState('');
  const [notes, setNotes] = useState('');
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [recorded, setRecorded] = useState<'pass' | 'fail' | null>(null);

  const file = async (verdict: 'pass' | 'fail') => {
    const name = technician.trim();
    setMissing(name === '');
    if (!name) return;
    setBusy(true);
    const error = await recordVerdict(verdict, name, notes.trim());
    setBusy(false);
    if (error) return show('error', errorText(error));
    setRecorded(verdict);
    show('success', t('qa.verdictRecorded', { verdict: t(`qa.verdict.${verdict}`), serial: serialNumber }));
  };

  return (
    <div className="qa-verdict" data-testid="qa-verdict">
      <h3>{t('qa.verdictTitle')}</h3>
      <label className="field">
        <span>{t('qa.technician')}</span>
        <input
          value={technician}
          maxLength={128}
          aria-invalid={missing}
          onChange={(e) => setTechnician(e.target.value)}
        />
        <span className="field-error">{missing ? t('validation.required') : null}</span>
      </label>
      <label className="field">
        <span>{t('qa.notes')}</span>
        <textarea value={notes} maxLength={1024} rows={3} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <div className="row-actions">
        <button type="button" className="verdict-pass" disabled={busy} onClick={() => void file('pass')}>
          {t('qa.recordPass')}
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void file('fail')}>
          {t('qa.recordFail')}
        </button>
      </div>
      {recorded ? (
        <p className="qa-recorded" data-testid="qa-recorded">
          {t('qa.recordedAs', { verdict: t(`qa.verdict.${recorded}`) })}
        </p>
      ) : null}
    </div>
  );
}
