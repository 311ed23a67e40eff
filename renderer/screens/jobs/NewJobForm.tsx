import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  jobKeySources,
  jobKinds,
  type JobKeySource,
  type JobKind,
  keyDeliveries,
  type KeyDelivery,
  stationKeyTypes,
  type StationKeyType,
} from '../../../preload/contract';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { useJobs } from '../../state/jobs-store';
import { useNotices } from '../../state/notice-store';
import {
  acceptedFiles,
  emptyJobForm,
  issuesCertificates,
  type JobForm,
  jobOptions,
  type MissingField,
  needsGroup,
  policyFits,
} from './job-form';
import { saveFile } from './save-file';

/** Picks what the job does, sends its input file, and has the station check every row. */
export function NewJobForm() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { groups, policies, create } = useJobs();
  const [form, setForm] = useState<JobForm>(emptyJobForm);
  const [file, setFile] = useState<File | null>(null);
  const [missing, setMissing] = useState<readonly (MissingField | 'file')[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const change = (patch: Partial<JobForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setMissing([]);
  };
  const fitting = policies.filter((p) => policyFits(p, form.keySource));
  const certificates = issuesCertificates(form);
  const station = certificates && form.keySource === 'station';

  const downloadTemplate = async () => {
    const result = await client().call('jobs.template', {
      kind: form.kind,
      ...(certificates && form.policyId ? { policyId: form.policyId } : {}),
      ...(certificates ? { keySource: form.keySource } : {}),
    });
    if (!result.ok) return show('error', errorText(result.error));
    saveFile(new Blob([result.value.csv], { type: 'text/csv' }), result.value.filename);
    show('success', t('jobs.create.templateSaved', { file: result.value.filename }));
  };

  const readRecipient = async (picked: File | undefined) => {
    if (!picked) return;
    try {
      change({ recipientPem: await picked.text() });
    } catch {
      show('error', t('jobs.create.recipientUnreadable'));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const built = jobOptions(form);
    const gaps: (MissingField | 'file')[] = 'missing' in built ? [...built.missing] : [];
    if (!file) gaps.push('file');
    if ('missing' in built || !file) return setMissing(gaps);
    setSent(0);
    const result = await create(file, built.options, setSent);
    setSent(null);
    if (!result.ok) return setError(errorText(result.error));
    setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const hint = (field: MissingField | 'file') =>
    missing.includes(field) ? (
      <span className="field-error" role="alert">
        {t(`jobs.create.missing.${field}`)}
      </span>
    ) : null;

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="new-job-title" data-testid="new-job">
      <div className="panel-header">
        <h2 id="new-job-title">{t('jobs.create.heading')}</h2>
        <button type="button" onClick={() => void downloadTemplate()} data-testid="job-template">
          {t('jobs.create.template')}
        </button>
      </div>
      <div className="field-row">
        <label className="field">
          <span>{t('jobs.create.kind')}</span>
          <select
            value={form.kind}
            onChange={(e) => change({ kind: e.target.value as JobKind })}
            data-testid="job-kind"
          >
            {jobKinds.map((kind) => (
              <option key={kind} value={kind}>
                {t(`jobs.kinds.${kind}`)}
              </option>
            ))}
          </select>
        </label>
        {needsGroup(form) ? (
          <label className="field">
            <span>{t('jobs.create.group')}</span>
            <select value={form.groupId} onChange={(e) => change({ groupId: e.target.value })} data-testid="job-group">
              <option value="">{t('jobs.create.choose')}</option>
              {groups.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                </option>
              ))}
            </select>
            {groups.length === 0 ? <span className="help">{t('jobs.create.noGroups')}</span> : null}
            {hint('group')}
          </label>
        ) : null}
        {certificates ? (
          <>
            <label className="field">
              <span>{t('jobs.create.keySource')}</span>
              <select
                value={form.keySource}
                onChange={(e) => change({ keySource: e.target.value as JobKeySource, policyId: '' })}
                data-testid="job-key-source"
              >
                {jobKeySources.map((source) => (
                  <option key={source} value={source}>
                    {t(`jobs.keySources.${source}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t('jobs.create.policy')}</span>
              <select
                value={form.policyId}
                onChange={(e) => change({ policyId: e.target.value })}
                data-testid="job-policy"
              >
                <option value="">{t('jobs.create.choose')}</option>
                {fitting.map((policy) => (
                  <option key={policy.id} value={policy.id}>
                    {policy.name}
                  </option>
                ))}
              </select>
              {fitting.length === 0 ? <span className="help">{t('jobs.create.noPolicies')}</span> : null}
              {hint('policy')}
            </label>
          </>
        ) : null}
        {station ? (
          <>
            <label className="field">
              <span>{t('jobs.create.keyType')}</span>
              <select
                value={form.stationKeyType}
                onChange={(e) => change({ stationKeyType: e.target.value as StationKeyType })}
                data-testid="job-key-type"
              >
                {stationKeyTypes.map((type) => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t('jobs.create.delivery')}</span>
              <select
                value={form.delivery}
                onChange={(e) => change({ delivery: e.target.value as KeyDelivery })}
                data-testid="job-delivery"
              >
                {keyDeliveries.map((delivery) => (
                  <option key={delivery} value={delivery}>
                    {t(`jobs.deliveries.${delivery}`)}
                  </option>
                ))}
              </select>
            </label>
          </>
        ) : null}
      </div>
      {station && form.delivery === 'cms' ? (
        <div className="field-row">
          <label className="field field-grow">
            <span>{t('jobs.create.recipient')}</span>
            <textarea
              className="mono"
              rows={6}
              value={form.recipientPem}
              onChange={(e) => change({ recipientPem: e.target.value })}
              data-testid="job-recipient"
            />
            <span className="help">{t('jobs.create.recipientHelp')}</span>
            {hint('recipient')}
          </label>
          <label className="field">
            <span>{t('jobs.create.recipientFile')}</span>
            <input
              type="file"
              accept=".pem,.crt,.cer"
              onChange={(e) => void readRecipient(e.target.files?.[0])}
              data-testid="job-recipient-file"
            />
          </label>
        </div>
      ) : null}
      <div className="field-row">
        <label className="field field-wide">
          <span>{t('jobs.create.file')}</span>
          <input
            ref={fileInput}
            type="file"
            accept={acceptedFiles(form)}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setMissing([]);
            }}
            data-testid="job-file"
          />
          <span className="help">
            {certificates && form.keySource === 'zip' ? t('jobs.create.fileHelpZip') : t('jobs.create.fileHelpCsv')}
          </span>
          {hint('file')}
        </label>
        <button type="submit" className="primary field-button" disabled={sent !== null} data-testid="job-submit">
          {t('jobs.create.submit')}
        </button>
        {sent !== null ? (
          <label className="field">
            <span>{t('jobs.create.uploading', { percent: Math.round(sent * 100) })}</span>
            <progress max={1} value={sent} data-testid="job-upload-progress" />
          </label>
        ) : null}
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="job-create-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
