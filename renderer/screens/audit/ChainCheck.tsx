import { useTranslation } from 'react-i18next';
import type { AuditVerification } from '../../state/audit-store';

/** The verdict of walking the hash chain: intact with its head, or where it first breaks. */
export function ChainCheck({ verification }: { verification: AuditVerification }) {
  const { t } = useTranslation();
  const first = verification.problems[0];
  let text: string;
  if (verification.ok && verification.head) {
    text = t('audit.verifyOk', {
      entries: verification.entries,
      seq: verification.head.seq,
      hash: verification.head.hash,
    });
  } else if (verification.ok) {
    text = t('audit.verifyEmpty');
  } else {
    text = t('audit.verifyBroken', {
      problem: first ? t(`audit.problem.${first.kind}`) : '',
      seq: first?.seq ?? 0,
      count: verification.problems.length,
    });
  }
  return (
    <p
      className={`chain-check ${verification.ok ? 'chain-ok' : 'chain-broken'}`}
      role="status"
      data-testid="audit-verify-result"
      data-ok={verification.ok}
    >
      {text}
    </p>
  );
}
