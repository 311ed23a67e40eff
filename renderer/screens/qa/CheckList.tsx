import { useTranslation } from 'react-i18next';
import type { QaCheck } from '../../../preload/contract';

/** null is "could not be checked this way", which is neither a pass nor a fail: it gets its own mark. */
function mark(ok: boolean | null): { icon: string; key: 'ok' | 'notOk' | 'notChecked'; kind: string } {
  if (ok === true) return { icon: '✓', key: 'ok', kind: 'pass' };
  if (ok === false) return { icon: '✕', key: 'notOk', kind: 'fail' };
  return { icon: '–', key: 'notChecked', kind: 'skip' };
}

export function CheckList({ checks }: { checks: QaCheck[] }) {
  const { t } = useTranslation();
  return (
    <ul className="qa-checks" aria-label={t('qa.checks')}>
      {checks.map((check) => {
        const { icon, key, kind } = mark(check.ok);
        return (
          <li
            key={check.name}
            className={`qa-check qa-check-${kind}`}
            data-testid="qa-check"
            data-ok={String(check.ok)}
          >
            <span className="qa-check-icon" aria-hidden="true">
              {icon}
            </span>
            <strong>{t(`qa.check.${check.name}`)}</strong>
            <span className="qa-check-result">{t(`qa.result.${key}`)}</span>
            <span className="qa-check-detail">{check.detail}</span>
          </li>
        );
      })}
    </ul>
  );
}
