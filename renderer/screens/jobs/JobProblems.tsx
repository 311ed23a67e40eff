import { useTranslation } from 'react-i18next';
import { useJobs } from '../../state/jobs-store';
import { useProblemText } from './format';

/** The open job's invalid and failed rows, with the line a text editor shows for each. */
export function JobProblems() {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const { problems, moreProblems, loadProblems } = useJobs();
  if (problems.length === 0) return null;
  return (
    <section aria-labelledby="job-problems-title">
      <h3 id="job-problems-title">{t('jobs.problems.heading')}</h3>
      <table className="data-table compact" aria-labelledby="job-problems-title" data-testid="job-problems">
        <thead>
          <tr>
            <th scope="col" className="numeric">
              {t('jobs.problems.colLine')}
            </th>
            <th scope="col">{t('jobs.problems.colName')}</th>
            <th scope="col">{t('jobs.problems.colStatus')}</th>
            <th scope="col">{t('jobs.problems.colCode')}</th>
            <th scope="col">{t('jobs.problems.colMessage')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((problem) => (
            <tr key={problem.line} data-testid="job-problem" data-line={problem.line}>
              <td className="numeric">{problem.line}</td>
              <td>{problem.name}</td>
              <td>{t(`jobs.problems.${problem.status}`)}</td>
              <td className="mono">{problem.code}</td>
              <td>{problemText(problem)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {moreProblems ? (
        <button type="button" onClick={() => void loadProblems(true)} data-testid="job-problems-more">
          {t('jobs.problems.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
