import { useTranslation } from 'react-i18next';
import type { Job } from '../../../preload/contract';
import { useJobs } from '../../state/jobs-store';
import { useWhen } from './format';

const stateBadge: Record<Job['state'], string> = {
  validating: 'badge',
  validated: 'badge',
  rejected: 'badge badge-warn',
  running: 'badge',
  interrupted: 'badge badge-warn',
  cancelled: 'badge badge-warn',
  completed: 'badge badge-ok',
};

/** Every batch job this station ran or checked, newest first; a row opens its job. */
export function JobList() {
  const { t } = useTranslation();
  const when = useWhen();
  const { jobs, loaded, openId, open, loadList } = useJobs();
  return (
    <section className="panel" aria-labelledby="job-list-title">
      <div className="panel-header">
        <h2 id="job-list-title">{t('jobs.list.heading')}</h2>
        <button type="button" onClick={() => void loadList()} data-testid="jobs-refresh">
          {t('jobs.list.refresh')}
        </button>
      </div>
      {!loaded ? (
        <p className="help">{t('common.loading')}</p>
      ) : jobs.length === 0 ? (
        <p className="empty-state">{t('jobs.list.empty')}</p>
      ) : (
        <table className="data-table" aria-labelledby="job-list-title" data-testid="jobs-table">
          <thead>
            <tr>
              <th scope="col">{t('jobs.list.colInput')}</th>
              <th scope="col">{t('jobs.list.colKind')}</th>
              <th scope="col">{t('jobs.list.colState')}</th>
              <th scope="col">{t('jobs.list.colCounts')}</th>
              <th scope="col">{t('jobs.list.colCreated')}</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <tr
                key={job.id}
                data-testid="job-row"
                data-job={job.id}
                data-state={job.state}
                aria-selected={job.id === openId}
              >
                <td>
                  <button type="button" onClick={() => open(job.id)} data-testid="job-open">
                    {job.inputName}
                  </button>
                </td>
                <td>{t(`jobs.kinds.${job.kind}`)}</td>
                <td>
                  <span className={stateBadge[job.state]}>{t(`jobs.states.${job.state}`)}</span>
                </td>
                <td>
                  {t('jobs.list.counts', {
                    done: job.counts.done,
                    total: job.counts.total,
                    failed: job.counts.failed,
                    invalid: job.counts.invalid + job.counts.skipped,
                  })}
                </td>
                <td>{t('jobs.list.createdBy', { when: when(job.createdAt), who: job.createdBy })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
