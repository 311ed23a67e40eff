import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useJobs } from '../../state/jobs-store';
import { JobDetail } from './JobDetail';
import { JobList } from './JobList';
import { NewJobForm } from './NewJobForm';

/** Batch jobs: a CSV or ZIP in, every row checked, then run with progress, and the results out. */
export function JobsScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const canRun = useCan('jobs.run');
  const canGroups = useCan('deviceGroups.view');
  const canPolicies = useCan('policies.view');
  const { error, loadList, loadChoices, apply } = useJobs();
  const job = useJobs((s) => s.jobs.find((j) => j.id === s.openId) ?? null);

  useEffect(() => {
    if (!canRun) return;
    void loadList();
    // Each push carries the whole job, counts and speed included.
    return client().on('jobs.changed', apply);
  }, [canRun, loadList, apply]);
  useEffect(() => {
    if (canRun) void loadChoices({ groups: canGroups, policies: canPolicies });
  }, [canRun, canGroups, canPolicies, loadChoices]);

  // screen-policies is the stylesheet's scrolling screen: a long job history must scroll.
  return (
    <section className="screen screen-policies" aria-labelledby="jobs-title" data-testid="jobs-screen">
      <header className="screen-header">
        <h1 id="jobs-title">{t('jobs.title')}</h1>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      <NewJobForm />
      {job ? <JobDetail key={job.id} job={job} /> : null}
      <JobList />
    </section>
  );
}
