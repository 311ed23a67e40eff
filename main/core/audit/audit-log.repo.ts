import type { Database } from 'better-sqlite3';
import { statement } from '../store/statements';
import { type AuditEntry, type AuditVerification, genesisHash, hashAuditEntry, verifyAuditChain } from './audit-chain';

interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditRecord {
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

/**
 * Appends one entry linked to the current head. Call it inside the same transaction as the
 * change it records, so a change and its audit entry commit or vanish together.
 */
export function appendAudit(db: Database, record: AuditRecord, time: string): AuditEntry {
  const last = statement(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
  const fields = {
    seq: (last?.seq ?? 0) + 1,
    time,
    actor: record.actor,
    action: record.action,
    subject: record.subject,
    details: JSON.stringify(record.details),
    prevHash: last?.hash ?? genesisHash,
  };
  const entry: AuditEntry = { ...fields, hash: hashAuditEntry(fields) };
  statement(
    db,
    `INSERT INTO audit_log (seq, time, actor, action, subject, details, prev_hash, hash)
     VALUES (@seq, @time, @actor, @action, @subject, @details, @prevHash, @hash)`,
  ).run(entry);
  return entry;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    time: row.time,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function* iterateAudit(db: Database): Generator<AuditEntry> {
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate()) {
    yield toEntry(row as AuditRow);
  }
}

export function listAuditEntries(db: Database, options: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
  const rows = statement(db, 'SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(
    options.afterSeq ?? 0,
    options.limit ?? 1000,
  ) as AuditRow[];
  return rows.map(toEntry);
}

/** One entry by its sequence number, or undefined when there is none. */
export function getAuditEntry(db: Database, seq: number): AuditEntry | undefined {
  const row = statement(db, 'SELECT * FROM audit_log WHERE seq = ?').get(seq) as AuditRow | undefined;
  return row && toEntry(row);
}

export function verifyAuditLog(db: Database, expectedHead?: { seq: number; hash: string }): AuditVerification {
  return verifyAuditChain(iterateAudit(db), expectedHead);
}

/** One audit entry on its own, for events that change nothing else (a login, an export). */
export function recordAuditEvent(
  db: Database,
  record: AuditRecord,
  time: string = new Date().toISOString(),
): AuditEntry {
  return db.transaction(() => appendAudit(db, record, time)).immediate();
}
