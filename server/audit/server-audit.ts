import type { Queryable } from '../db/pool';

export interface ServerAuditEntry {
  actor: string;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

/** Written inside the transaction of the change it describes, so a change and its record land together. */
export async function recordServerAudit(db: Queryable, entry: ServerAuditEntry): Promise<void> {
  await db.query('INSERT INTO server_audit (actor, action, subject, details) VALUES ($1, $2, $3, $4::jsonb)', [
    entry.actor,
    entry.action,
    entry.subject,
    JSON.stringify(entry.details ?? {}),
  ]);
}
