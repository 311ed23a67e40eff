import { useTranslation } from 'react-i18next';
import type { Job } from '../../../preload/contract';
import type { JobRowProblem } from '../../state/jobs-store';

/** Station timestamps in the reader's language. */
export function useWhen(): (iso: string | null) => string {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (iso) => (iso ? format.format(new Date(iso)) : '');
}

/** Time left, rounded to what a person reads: seconds, then minutes, then hours. */
export function useDurationText(): (seconds: number) => string {
  const { t } = useTranslation();
  return (seconds) => {
    const whole = Math.max(0, Math.round(seconds));
    if (whole < 60) return t('jobs.duration.seconds', { count: whole });
    if (whole < 3600) return t('jobs.duration.minutes', { minutes: Math.floor(whole / 60), seconds: whole % 60 });
    return t('jobs.duration.hours', { hours: Math.floor(whole / 3600), minutes: Math.floor((whole % 3600) / 60) });
  };
}

/** A problem row's reason: the code's own wording where the screen has one, else the station's message. */
export function useProblemText(): (problem: JobRowProblem) => string {
  const { t, i18n } = useTranslation();
  return (problem) => {
    const key = `jobs.rowCodes.${problem.code}`;
    return i18n.exists(key) ? t(key, { details: problem.message }) : problem.message;
  };
}

/** The rows a run works through: everything but the rows left out as invalid. */
export function runnableRows(job: Job): number {
  return job.counts.total - job.counts.invalid - job.counts.skipped;
}

/** Rows the run has finished with, either way. */
export function processedRows(job: Job): number {
  return job.counts.done + job.counts.failed;
}

export const isFinished = (job: Job) => job.state === 'completed' || job.state === 'cancelled';

/** Why a whole input was rejected, in the reader's language where the code has a message. */
export function useJobProblemText(): (problem: { code: string; message: string }) => string {
  const { t, i18n } = useTranslation();
  return (problem) => {
    const key = `errors.${problem.code}`;
    return i18n.exists(key) ? t(key, { details: problem.message }) : problem.message;
  };
}
