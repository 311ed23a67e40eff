import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Job } from '../../../preload/contract';
import { client } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useErrorText } from '../../components/use-error-text';
import { useJobs } from '../../state/jobs-store';
import { useNotices } from '../../state/notice-store';
import { isFinished, processedRows, runnableRows, useDurationText, useJobProblemText } from './format';
import { JobProblems } from './JobProblems';
import { saveFile } from './save-file';
import { PasscodeField } from './PasscodeField';

const minPasscode = 8;
const maxResultPasscode = 128;

function Counts({ job }: { job: Job }) {
  const { t } = useTranslation();
  const { counts } = job;
  const shown: [string, number][] =
    job.state === 'validating' || job.state === 'validated' || job.state === 'rejected'
      ? [
          ['total', counts.total],
          ['valid', counts.pending],
          ['invalid', counts.invalid],
        ]
      : [
          ['total', counts.total],
          ['done', counts.done],
          ['failed', counts.failed],
          ['skipped', counts.skipped],
          ['pending', counts.pending],
          ['cancelledRows', counts.cancelled],
        ];
  return (
    <dl className="counters" data-testid="job-counts">
      {shown.map(([key, value]) => (
        <div key={key} className="counter" data-testid={`job-count-${key}`} data-value={value}>
          <dt>{t(`jobs.detail.${key}`)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A run in progress: how far, how fast, how long still. */
function Progress({ job }: { job: Job }) {
  const { t, i18n } = useTranslation();
  const duration = useDurationText();
  const of = runnableRows(job);
  const processed = processedRows(job);
  const rate =
    job.rate === null ? null : new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 1 }).format(job.rate);
  return (
    <div className="field" data-testid="job-running">
      <span>{t('jobs.detail.progressLabel')}</span>
      <progress max={Math.max(of, 1)} value={processed} data-testid="job-progress" />
      <span data-testid="job-progress-text">{t('jobs.detail.progress', { processed, of })}</span>
      <span className="help" data-testid="job-rate">
        {rate === null
          ? t('jobs.detail.rateUnknown')
          : job.etaSeconds === null
            ? t('jobs.detail.rate', { rate })
            : t('jobs.detail.rateEta', { rate, time: duration(job.etaSeconds) })}
      </span>
    </div>
  );
}

/** Starting a checked job (or resuming an interrupted one): skip invalid rows, give the passcode. */
function StartControls({ job }: { job: Job }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const start = useJobs((s) => s.start);
  const [skip, setSkip] = useState(false);
  // The passcode lives only in this field until the start call carries it; the station keeps none.
  const [passcode, setPasscode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const invalid = job.counts.invalid;
  const pkcs12 = job.keySource === 'station' && job.delivery === 'pkcs12';
  const passcodeShort = pkcs12 && passcode.length < minPasscode;
  const blocked = (invalid > 0 && !skip) || passcodeShort || busy;

  const run = async () => {
    setBusy(true);
    setError(null);
    const refused = await start({ id: job.id, skipInvalid: skip, ...(pkcs12 ? { passcode } : {}) });
    setBusy(false);
    setPasscode('');
    if (refused) return setError(errorText(refused));
    show('success', t('jobs.detail.started'));
  };

  return (
    <div className="field-row">
      {invalid > 0 ? (
        <label className="checkbox field-button">
          <input
            type="checkbox"
            checked={skip}
            onChange={(e) => setSkip(e.target.checked)}
            data-testid="job-skip-invalid"
          />
          {t('jobs.detail.skipInvalid', { count: invalid })}
        </label>
      ) : null}
      {pkcs12 ? (
        <PasscodeField
          label={t('jobs.detail.passcode')}
          value={passcode}
          onChange={setPasscode}
          help={passcodeShort ? t('jobs.detail.passcodeTooShort') : t('jobs.detail.passcodeHelp')}
          testId="job-passcode"
        />
      ) : null}
      <button
        type="button"
        className="primary field-button"
        disabled={blocked}
        onClick={() => void run()}
        data-testid="job-start"
      >
        {job.state === 'interrupted' ? t('jobs.detail.resume') : t('jobs.detail.start')}
      </button>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** One job: its checks, its run, and what it produced. */
export function JobDetail({ job }: { job: Job }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const jobProblemText = useJobProblemText();
  const show = useNotices((s) => s.show);
  const { open, cancel } = useJobs();
  const [confirming, setConfirming] = useState(false);
  const [downloading, setDownloading] = useState(false);
  // Lives only in this field until the download carries it; the station keeps none.
  const [resultPasscode, setResultPasscode] = useState('');
  const resultPasscodeBad =
    resultPasscode !== '' && (resultPasscode.length < minPasscode || resultPasscode.length > maxResultPasscode);
  const cancellable = job.state === 'running' || job.state === 'validated' || job.state === 'interrupted';

  const stop = async () => {
    setConfirming(false);
    const refused = await cancel(job.id);
    if (refused) show('error', errorText(refused));
  };

  const download = async () => {
    setDownloading(true);
    const result = await client().jobResult(job.id, resultPasscode === '' ? undefined : resultPasscode);
    setDownloading(false);
    setResultPasscode('');
    if (!result.ok) return show('error', errorText(result.error));
    saveFile(result.value.file, result.value.fileName);
    show('success', t('jobs.detail.downloaded', { file: result.value.fileName }));
  };

  return (
    <section
      className="panel"
      aria-labelledby="job-detail-title"
      data-testid="job-detail"
      data-job={job.id}
      data-state={job.state}
    >
      <div className="panel-header">
        <h2 id="job-detail-title">{t('jobs.detail.heading', { name: job.inputName })}</h2>
        <span className="badge" data-testid="job-state" data-state={job.state}>
          {t(`jobs.states.${job.state}`)}
        </span>
        <button type="button" onClick={() => open(null)} data-testid="job-close">
          {t('jobs.detail.close')}
        </button>
      </div>
      <p className="help">{t(`jobs.kinds.${job.kind}`)}</p>
      {job.state === 'validating' ? <p className="help">{t('jobs.detail.checking')}</p> : null}
      {job.state === 'rejected' && job.problem ? (
        <p className="form-error" role="alert" data-testid="job-rejected">
          {t('jobs.detail.rejected')} {jobProblemText(job.problem)}
        </p>
      ) : null}
      {job.state !== 'rejected' ? <Counts job={job} /> : null}
      {job.state === 'interrupted' ? <p className="help">{t('jobs.detail.interrupted')}</p> : null}
      {job.state === 'validated' || job.state === 'interrupted' ? <StartControls key={job.id} job={job} /> : null}
      {job.state === 'running' ? <Progress job={job} /> : null}
      {isFinished(job) ? (
        <div className="field-row">
          <p data-testid="job-summary">
            {t('jobs.detail.summary', {
              done: job.counts.done,
              failed: job.counts.failed,
              skipped: job.counts.skipped,
              cancelled: job.counts.cancelled,
            })}
          </p>
          <PasscodeField
            label={t('jobs.detail.resultPasscode')}
            value={resultPasscode}
            onChange={setResultPasscode}
            help={resultPasscodeBad ? t('jobs.detail.resultPasscodeBad') : t('jobs.detail.resultPasscodeHelp')}
            testId="job-result-passcode"
          />
          <button
            type="button"
            className="field-button"
            disabled={downloading || resultPasscodeBad}
            onClick={() => void download()}
            data-testid="job-download"
          >
            {t('jobs.detail.download')}
          </button>
        </div>
      ) : null}
      {cancellable ? (
        <div className="row-actions">
          <button type="button" className="danger" onClick={() => setConfirming(true)} data-testid="job-cancel">
            {t('jobs.detail.cancel')}
          </button>
        </div>
      ) : null}
      <JobProblems />
      <ConfirmDialog
        open={confirming}
        title={t('jobs.detail.cancelConfirmTitle')}
        message={t('jobs.detail.cancelConfirm')}
        confirmLabel={t('jobs.detail.cancelConfirmButton')}
        onConfirm={() => void stop()}
        onCancel={() => setConfirming(false)}
      />
    </section>
  );
}
