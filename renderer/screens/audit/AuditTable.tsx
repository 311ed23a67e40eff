import { useTranslation } from 'react-i18next';
import type { AuditEntryView } from '../../../preload/contract';

const columns = ['colSeq', 'colTime', 'colActor', 'colAction', 'colSubject', 'colDetails'] as const;

/** The entries as the core returned them, newest first. */
export function AuditTable({ entries }: { entries: AuditEntryView[] }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="data-table audit-table" aria-label={t('audit.tableLabel')} data-testid="audit-table">
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {t(`audit.${c}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.seq} data-testid="audit-row">
            <td className="numeric">{entry.seq}</td>
            <td>
              <time dateTime={entry.time}>{new Date(entry.time).toLocaleString(i18n.language)}</time>
            </td>
            <td>{entry.actor}</td>
            <td className="mono" data-testid="audit-action">
              {entry.action}
            </td>
            <td>{entry.subject}</td>
            <td className="mono audit-details">{entry.details}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
