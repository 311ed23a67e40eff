import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { type Job, type JobKind, jobOptionsSchema, type JobOptions, type JobState } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { statement } from '../store/statements';

export interface JobRowRecord {
  line: number;
  name: string;
  status: 'pending' | 'invalid' | 'skipped' | 'done' | 'failed' | 'cancelled';
  payload: RowPayload;
  deviceId: string | null;
  certificateId: string | null;
  sealedKey: Buffer | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/** One validated input row, as the run needs it. */
export const rowPayloadSchema = z.object({
  description: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** The key material as given (base64 of the PEM or DER bytes). */
  csr: z.string().optional(),
  publicKey: z.string().optional(),
});
export type RowPayload = z.infer<typeof rowPayloadSchema>;

interface JobDbRow {
  id: string;
  kind: JobKind;
  options: string;
  input_name: string;
  state: JobState;
  total_rows: number;
  invalid_rows: number;
  problem: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface StoredJob {
  id: string;
  kind: JobKind;
  options: JobOptions;
  inputName: string;
  state: JobState;
  problem: { code: string; message: string } | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

function toStoredJob(row: JobDbRow): StoredJob {
  return {
    id: row.id,
    kind: row.kind,
    options: jobOptionsSchema.parse(JSON.parse(row.options)),
    inputName: row.input_name,
    state: row.state,
    problem: row.problem === null ? null : (JSON.parse(row.problem) as { code: string; message: string }),
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function insertJob(
  db: Database,
  job: { id: string; options: JobOptions; inputName: string; createdBy: string; createdAt: string },
): void {
  statement(
    db,
    `INSERT INTO jobs (id, kind, options, input_name, state, created_by, created_at)
     VALUES (?, ?, ?, ?, 'validating', ?, ?)`,
  ).run(job.id, job.options.kind, JSON.stringify(job.options), job.inputName, job.createdBy, job.createdAt);
}

export function getStoredJob(db: Database, id: string, step: string): StoredJob {
  const row = statement(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobDbRow | undefined;
  if (!row) throw new StationError('JOB_NOT_FOUND', `No batch job with ID ${id} exists.`, { step, params: { id } });
  return toStoredJob(row);
}

export function listStoredJobs(db: Database): StoredJob[] {
  return (statement(db, 'SELECT * FROM jobs ORDER BY seq DESC LIMIT 200').all() as JobDbRow[]).map(toStoredJob);
}

export function setJobState(
  db: Database,
  id: string,
  state: JobState,
  fields: { startedAt?: string; finishedAt?: string; problem?: { code: string; message: string } } = {},
): void {
  statement(
    db,
    `UPDATE jobs SET state = @state, started_at = COALESCE(@startedAt, started_at),
       finished_at = COALESCE(@finishedAt, finished_at), problem = COALESCE(@problem, problem) WHERE id = @id`,
  ).run({
    id,
    state,
    startedAt: fields.startedAt ?? null,
    finishedAt: fields.finishedAt ?? null,
    problem: fields.problem ? JSON.stringify(fields.problem) : null,
  });
}

export function insertJobRow(
  db: Database,
  jobId: string,
  row: { line: number; name: string; status: 'pending' | 'invalid'; payload: RowPayload; error?: StationError },
): void {
  statement(
    db,
    `INSERT INTO job_rows (job_id, line, name, status, payload, error_code, error_message)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    jobId,
    row.line,
    row.name,
    row.status,
    JSON.stringify(row.payload),
    row.error?.code ?? null,
    row.error?.message ?? null,
  );
}

export type JobCounts = Job['counts'];

export function jobCounts(db: Database, jobId: string): JobCounts {
  const counts: JobCounts = { total: 0, invalid: 0, pending: 0, done: 0, failed: 0, skipped: 0, cancelled: 0 };
  const rows = statement(db, 'SELECT status, COUNT(*) AS n FROM job_rows WHERE job_id = ? GROUP BY status').all(
    jobId,
  ) as { status: keyof JobCounts; n: number }[];
  for (const { status, n } of rows) {
    counts[status] = n;
    counts.total += n;
  }
  return counts;
}

interface JobRowDb {
  line: number;
  name: string;
  status: JobRowRecord['status'];
  payload: string;
  device_id: string | null;
  certificate_id: string | null;
  sealed_key: Buffer | null;
  error_code: string | null;
  error_message: string | null;
}

function toJobRow(row: JobRowDb): JobRowRecord {
  return {
    line: row.line,
    name: row.name,
    status: row.status,
    payload: rowPayloadSchema.parse(JSON.parse(row.payload)),
    deviceId: row.device_id,
    certificateId: row.certificate_id,
    sealedKey: row.sealed_key,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  };
}

/** Rows after `afterLine` in line order, a page at a time: the run never loads a whole job. */
export function jobRowsPage(
  db: Database,
  jobId: string,
  options: { afterLine: number; limit: number; statuses?: JobRowRecord['status'][] },
): JobRowRecord[] {
  const statuses = options.statuses ?? ['pending', 'invalid', 'skipped', 'done', 'failed', 'cancelled'];
  const placeholders = statuses.map(() => '?').join(', ');
  return (
    statement(
      db,
      `SELECT * FROM job_rows WHERE job_id = ? AND line > ? AND status IN (${placeholders}) ORDER BY line LIMIT ?`,
    ).all(jobId, options.afterLine, ...statuses, options.limit) as JobRowDb[]
  ).map(toJobRow);
}

/** A done row stays done: its certificate committed, whatever its caller was told afterwards. */
export function setRowOutcome(
  db: Database,
  jobId: string,
  line: number,
  outcome: { status: JobRowRecord['status']; deviceId?: string; error?: { code: string; message: string } },
): void {
  statement(
    db,
    `UPDATE job_rows SET status = @status, device_id = COALESCE(@deviceId, device_id),
       error_code = @code, error_message = @message
     WHERE job_id = @jobId AND line = @line AND status <> 'done'`,
  ).run({
    jobId,
    line,
    status: outcome.status,
    deviceId: outcome.deviceId ?? null,
    code: outcome.error?.code ?? null,
    message: outcome.error?.message ?? null,
  });
}

/** Every row still in one status moves to another (skip the invalid ones, cancel the pending ones). */
export function moveRows(
  db: Database,
  jobId: string,
  from: JobRowRecord['status'],
  to: JobRowRecord['status'],
): number {
  return statement(db, 'UPDATE job_rows SET status = ? WHERE job_id = ? AND status = ?').run(to, jobId, from).changes;
}

/** A row as the result lists it, with its certificate when it has one (no payload: the result never shows it). */
export interface JobResultRow {
  line: number;
  name: string;
  status: JobRowRecord['status'];
  deviceId: string | null;
  certificateId: string | null;
  sealedKey: Buffer | null;
  errorCode: string | null;
  errorMessage: string | null;
  certificateSerial: string | null;
  certificateDer: Buffer | null;
  caId: string | null;
}

/** Every row after `afterLine` in line order with its certificate, a page at a time. */
export function jobResultPage(db: Database, jobId: string, afterLine: number, limit: number): JobResultRow[] {
  return statement(
    db,
    `SELECT r.line, r.name, r.status, r.device_id AS deviceId, r.certificate_id AS certificateId,
       r.sealed_key AS sealedKey, r.error_code AS errorCode, r.error_message AS errorMessage,
       c.serial AS certificateSerial, c.der AS certificateDer, c.ca_id AS caId
     FROM job_rows r LEFT JOIN certificates c ON c.id = r.certificate_id
     WHERE r.job_id = ? AND r.line > ? ORDER BY r.line LIMIT ?`,
  ).all(jobId, afterLine, limit) as JobResultRow[];
}
