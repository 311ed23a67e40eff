/**
 * Reads the outbox into the records a push carries, and keeps the station's side of the sync
 * bookkeeping (how far the server has acknowledged, the enrolment). Writes to the outbox itself
 * happen only in the triggers of migration 13.
 */
import type { Database } from 'better-sqlite3';
import type { SyncRecord } from '../../../sync-protocol';
import { getAuditEntry } from '../audit/audit-log.repo';
import type { CertificateRow } from '../issuance/certificates.repo';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';

export interface SyncStateRow {
  serverUrl: string | null;
  stationId: string | null;
  stationName: string | null;
  credential: string | null;
  enrolledAt: string | null;
  pushedThrough: number;
  configVersion: number;
  configWarnings: string[];
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
}

export function readSyncState(db: Database): SyncStateRow {
  const row = statement(
    db,
    `SELECT server_url, station_id, station_name, credential, enrolled_at, pushed_through, config_version,
            config_warnings, last_attempt_at, last_success_at, last_error_code, last_error_message
     FROM sync_state WHERE id = 1`,
  ).get() as Record<string, string | number | null>;
  return {
    serverUrl: row.server_url as string | null,
    stationId: row.station_id as string | null,
    stationName: row.station_name as string | null,
    credential: row.credential as string | null,
    enrolledAt: row.enrolled_at as string | null,
    pushedThrough: row.pushed_through as number,
    configVersion: row.config_version as number,
    configWarnings: JSON.parse(row.config_warnings as string) as string[],
    lastAttemptAt: row.last_attempt_at as string | null,
    lastSuccessAt: row.last_success_at as string | null,
    lastErrorCode: row.last_error_code as string | null,
    lastErrorMessage: row.last_error_message as string | null,
  };
}

export function saveEnrolment(
  db: Database,
  enrolment: { serverUrl: string; stationId: string; stationName: string; credential: string; at: string },
): void {
  // A station enrolled anew (another server, or the same one after a reset) starts from the
  // server's own mark, which the worker asks for before its first push.
  statement(
    db,
    `UPDATE sync_state SET server_url = @serverUrl, station_id = @stationId, station_name = @stationName,
       credential = @credential, enrolled_at = @at, config_version = 0,
       last_error_code = NULL, last_error_message = NULL WHERE id = 1`,
  ).run(enrolment);
}

/** Entries not yet acknowledged by the server. */
export function queueLength(db: Database): number {
  const row = statement(
    db,
    'SELECT count(*) AS n FROM sync_outbox WHERE seq > (SELECT pushed_through FROM sync_state WHERE id = 1)',
  ).get() as { n: number };
  return row.n;
}

export function recordAttempt(db: Database, at: string, error: { code: string; message: string } | null): void {
  statement(
    db,
    `UPDATE sync_state SET last_attempt_at = @at,
       last_success_at = CASE WHEN @code IS NULL THEN @at ELSE last_success_at END,
       last_error_code = @code, last_error_message = @message WHERE id = 1`,
  ).run({ at, code: error?.code ?? null, message: error?.message ?? null });
}

/**
 * The server has every entry up to `appliedThrough`: they leave the outbox. Never moves the
 * mark back: a second process (the CLI beside `serve`) may have had a later answer first.
 */
export function acknowledge(db: Database, appliedThrough: number): void {
  writeTransaction(db, () => {
    statement(db, 'DELETE FROM sync_outbox WHERE seq <= ?').run(appliedThrough);
    statement(
      db,
      `UPDATE sync_state SET pushed_through = max(pushed_through, @mark),
         snapshot_through = max(snapshot_through, @mark) WHERE id = 1`,
    ).run({ mark: appliedThrough });
  });
}

export function saveConfigVersion(db: Database, version: number, warnings: string[]): void {
  statement(db, 'UPDATE sync_state SET config_version = ?, config_warnings = ? WHERE id = 1').run(
    version,
    JSON.stringify(warnings),
  );
}

/** The highest sequence this store ever gave an outbox entry (AUTOINCREMENT keeps it across deletes). */
export function highestSequence(db: Database): number {
  const row = statement(db, "SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'").get() as
    { seq: number } | undefined;
  return row?.seq ?? 0;
}

interface OutboxEntry {
  seq: number;
  kind: SyncRecord['kind'];
  ref: string;
}

/**
 * The next push: up to `limit` entries after `after`, each with its record as it is now. Marks
 * them read (snapshot_through) in the same transaction, so a change made while the push is in
 * flight is queued anew instead of being folded into an entry whose contents already left.
 */
export function takeBatch(db: Database, after: number, limit: number): SyncRecord[] {
  return writeTransaction(db, () => {
    const entries = statement(db, 'SELECT seq, kind, ref FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(
      after,
      limit,
    ) as OutboxEntry[];
    const last = entries.at(-1);
    if (!last) return [];
    statement(db, 'UPDATE sync_state SET snapshot_through = max(snapshot_through, ?) WHERE id = 1').run(last.seq);
    return entries.map((entry) => snapshot(db, entry));
  });
}

function snapshot(db: Database, entry: OutboxEntry): SyncRecord {
  switch (entry.kind) {
    case 'device':
      return { seq: entry.seq, kind: 'device', record: deviceRecord(db, entry.ref) };
    case 'certificate':
      return { seq: entry.seq, kind: 'certificate', record: certificateRecord(db, entry.ref) };
    case 'job':
      return { seq: entry.seq, kind: 'job', record: jobRecord(db, entry.ref) };
    case 'audit':
      return { seq: entry.seq, kind: 'audit', record: auditRecord(db, Number(entry.ref)) };
  }
}

/** Records are never erased (devices become Deleted), so a queued one that is gone is a broken store. */
function missing(kind: string, ref: string): never {
  throw new Error(`the outbox names ${kind} ${ref}, which is not in the store`);
}

function deviceRecord(db: Database, id: string): Extract<SyncRecord, { kind: 'device' }>['record'] {
  const row = statement(
    db,
    `SELECT seq, id, name, description, group_id, state, status, created_at, updated_at, last_seen_at
     FROM devices WHERE id = ?`,
  ).get(id) as
    | {
        seq: number;
        id: string;
        name: string;
        description: string;
        group_id: string;
        state: 'Enrolled' | 'Registered' | 'Provisioned' | 'Deleted';
        status: 'Enabled' | 'Disabled';
        created_at: string;
        updated_at: string;
        last_seen_at: string | null;
      }
    | undefined;
  if (!row) missing('device', id);
  const attributes = statement(db, 'SELECT key, value FROM device_attributes WHERE device_seq = ?').all(
    row.seq,
  ) as Array<{
    key: string;
    value: string;
  }>;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    groupId: row.group_id,
    attributes: Object.fromEntries(attributes.map((a) => [a.key, a.value])),
    state: row.state,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
  };
}

function certificateRecord(db: Database, id: string): Extract<SyncRecord, { kind: 'certificate' }>['record'] {
  const row = statement(db, 'SELECT * FROM certificates WHERE id = ?').get(id) as CertificateRow | undefined;
  if (!row) missing('certificate', id);
  return {
    id: row.id,
    serial: row.serial,
    subject: row.subject,
    notBefore: row.not_before,
    notAfter: row.not_after,
    der: row.der.toString('base64'),
    status: row.status,
    policyId: row.policy_id,
    caId: row.ca_id,
    deviceId: row.device_id,
    keyType: row.key_type,
    issuedAt: row.issued_at,
    issuedBy: row.issued_by,
    jobId: row.job_id ?? null,
  };
}

function jobRecord(db: Database, id: string): Extract<SyncRecord, { kind: 'job' }>['record'] {
  const row = statement(
    db,
    'SELECT id, kind, input_name, state, created_by, created_at, started_at, finished_at FROM jobs WHERE id = ?',
  ).get(id) as
    | {
        id: string;
        kind: 'register-devices' | 'certificates-managed' | 'certificates-unmanaged';
        input_name: string;
        state: 'validating' | 'validated' | 'rejected' | 'running' | 'interrupted' | 'cancelled' | 'completed';
        created_by: string;
        created_at: string;
        started_at: string | null;
        finished_at: string | null;
      }
    | undefined;
  if (!row) missing('job', id);
  const counts = statement(db, 'SELECT status, count(*) AS n FROM job_rows WHERE job_id = ? GROUP BY status').all(
    id,
  ) as Array<{ status: string; n: number }>;
  return {
    id: row.id,
    kind: row.kind,
    inputName: row.input_name,
    state: row.state,
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    rows: Object.fromEntries(counts.map((c) => [c.status, c.n])),
  };
}

function auditRecord(db: Database, seq: number): Extract<SyncRecord, { kind: 'audit' }>['record'] {
  return getAuditEntry(db, seq) ?? missing('audit entry', String(seq));
}
