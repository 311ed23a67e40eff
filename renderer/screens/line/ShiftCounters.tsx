import { useTranslation } from 'react-i18next';
import type { LineStatus } from '../../../preload/contract';

/** Passed, failed and yield for the run: what the shift lead asks for first. */
export function ShiftCounters({ counters }: { counters: LineStatus['counters'] }) {
  const { t } = useTranslation();
  const yieldText =
    counters.yield === null
      ? t('line.counters.none')
      : t('line.counters.yieldValue', { value: Math.round(counters.yield * 100) });
  return (
    <dl className="counters" aria-label={t('line.counters.label')}>
      <div className="counter counter-pass">
        <dt>{t('line.counters.passed')}</dt>
        <dd data-testid="counter-passed">{counters.passed}</dd>
      </div>
      <div className="counter counter-fail">
        <dt>{t('line.counters.failed')}</dt>
        <dd data-testid="counter-failed">{counters.failed}</dd>
      </div>
      <div className="counter">
        <dt>{t('line.counters.yield')}</dt>
        <dd data-testid="counter-yield">{yieldText}</dd>
      </div>
    </dl>
  );
}
