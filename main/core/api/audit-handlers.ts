import type { Database } from 'better-sqlite3';
import { recordAuditEvent, verifyAuditLog } from '../audit/audit-log.repo';
import { exportAuditCsv, queryAudit } from '../audit/audit-query';
import type { Handlers } from './dispatcher';

export function auditHandlers(db: Database): Pick<Handlers, 'audit.list' | 'audit.export' | 'audit.verify'> {
  return {
    'audit.list': (input) => queryAudit(db, input),
    'audit.export': (input, ctx) => {
      const { csv, rows } = exportAuditCsv(db, input);
      // Who took a copy of the log, and of which part, is itself part of the log.
      recordAuditEvent(db, {
        actor: ctx.actor,
        action: 'audit.exported',
        subject: 'audit log',
        details: { ...input, rows },
      });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      return { filename: `trustline-audit-${stamp}.csv`, csv, rows };
    },
    'audit.verify': (input) => {
      const result = verifyAuditLog(db, input.anchor);
      return { ok: result.ok, entries: result.entries, head: result.head, problems: result.problems };
    },
  };
}
