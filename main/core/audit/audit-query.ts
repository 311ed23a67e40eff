import type { Database } from 'better-sqlite3';
import type { AuditEntryView, AuditFilter } from '../../../preload/contract';
import { csvRecord } from '../reports/csv';
import { statement } from '../store/statements';

interface Row {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  hash: string;
}

/** LIKE with the user's text taken literally: %, _ and the escape character match only themselves. */
function contains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereClause(filter: AuditFilter, beforeSeq?: number): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const textFilters = [
    ['actor', filter.actor],
    ['action', filter.action],
    ['subject', filter.subject],
  ] as const;
  for (const [column, value] of textFilters) {
    if (value) {
      // The subject filter also looks into the details, where device and certificate IDs live.
      parts.push(
        column === 'subject'
          ? `(subject LIKE @subject ESCAPE '\\' OR details LIKE @subject ESCAPE '\\')`
          : `${column} LIKE @${column} ESCAPE '\\'`,
      );
      params[column] = contains(value);
    }
  }
  // Times are stored as UTC ISO strings, which sort as text; the filter bounds are normalised to the same form.
  if (filter.from) {
    parts.push('time >= @from');
    params.from = new Date(filter.from).toISOString();
  }
  if (filter.to) {
    parts.push('time <= @to');
    params.to = new Date(filter.to).toISOString();
  }
  if (beforeSeq !== undefined) {
    parts.push('seq < @beforeSeq');
    params.beforeSeq = beforeSeq;
  }
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, params };
}

const toView = (row: Row): AuditEntryView => ({
  seq: row.seq,
  time: row.time,
  actor: row.actor,
  action: row.action,
  subject: row.subject,
  details: row.details,
  hash: row.hash,
});

/** One page, newest first. */
export function queryAudit(
  db: Database,
  filter: AuditFilter & { beforeSeq?: number | undefined; limit: number },
): { entries: AuditEntryView[]; nextBeforeSeq: number | null } {
  const where = whereClause(filter, filter.beforeSeq);
  const rows = statement(
    db,
    `SELECT seq, time, actor, action, subject, details, hash FROM audit_log ${where.sql} ORDER BY seq DESC LIMIT @limit`,
  ).all({ ...where.params, limit: filter.limit + 1 }) as Row[];
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { entries: page.map(toView), nextBeforeSeq: rows.length > filter.limit && last ? last.seq : null };
}

const csvColumns = ['seq', 'time', 'actor', 'action', 'subject', 'details', 'hash'] as const;

/** Every matching entry in log order as RFC 4180 CSV; rows are streamed from SQLite, not held twice. */
export function exportAuditCsv(db: Database, filter: AuditFilter): { csv: string; rows: number } {
  const where = whereClause(filter);
  const parts = [csvRecord([...csvColumns])];
  let rows = 0;
  for (const row of db
    .prepare(`SELECT seq, time, actor, action, subject, details, hash FROM audit_log ${where.sql} ORDER BY seq`)
    .iterate(where.params) as IterableIterator<Row>) {
    parts.push(csvRecord(csvColumns.map((column) => String(row[column]))));
    rows += 1;
  }
  return { csv: parts.join(''), rows };
}
