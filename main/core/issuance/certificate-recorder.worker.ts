// The recorder's own thread: commits certificates with their audit entries on a connection of its
// own, so that waiting for the disk (synchronous = FULL) never stops the station's main thread.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { appendAudit, type AuditRecord } from '../audit/audit-log.repo';
import { openDatabaseFile } from '../store/database';
import { writeTransaction } from '../store/write-transaction';
import {
  type CertificateRow,
  completeJobRow,
  insertCertificate,
  type JobRowLink,
  type ProvisioningLink,
  supersedeForProvisioning,
} from './certificates.repo';

export interface RecordJob {
  row: CertificateRow;
  audit: AuditRecord;
  /** Set by the line: supersede the device's earlier certificates of the run in the same commit. */
  provisioning?: ProvisioningLink;
  /** Set by batch jobs: the row's outcome and sealed key in the same commit. */
  jobRow?: JobRowLink;
}

/** null: committed. Otherwise why that row was not. */
export type RecordOutcome = string | null;

const port = parentPort;
if (!port) throw new Error('the certificate recorder runs as a worker thread');
const db = openDatabaseFile((workerData as { file: string }).file);

/** One certificate with what commits beside it; throws if any part is refused. */
function recordOne(job: RecordJob): void {
  insertCertificate(db, { ...job.row, der: Buffer.from(job.row.der) });
  appendAudit(db, job.audit, job.row.issued_at);
  if (job.provisioning) {
    const time = job.row.issued_at;
    supersedeForProvisioning(db, job.provisioning, job.row.id, job.audit.actor, (record) =>
      appendAudit(db, record, time),
    );
  }
  if (job.jobRow) completeJobRow(db, job.jobRow, job.row.id);
}

/** A failure of the database itself rather than a refusal of one row (a constraint, a job row not pending). */
function databaseFailed(error: unknown): boolean {
  return error instanceof BetterSqlite3.SqliteError && !error.code.startsWith('SQLITE_CONSTRAINT');
}

/** The group with a savepoint per row, so that a bad row (a serial collision) fails alone. */
function recordEachAlone(jobs: RecordJob[]): RecordOutcome[] {
  const outcomes: RecordOutcome[] = jobs.map(() => null);
  writeTransaction(db, () => {
    jobs.forEach((job, i) => {
      try {
        db.transaction(() => recordOne(job))();
      } catch (error) {
        // SQLite itself ends the whole transaction on some failures (a full disk, an I/O error):
        // later rows would then commit on their own. Fail the group instead.
        if (!db.inTransaction) throw error;
        outcomes[i] = error instanceof Error ? error.message : String(error);
      }
    });
  });
  return outcomes;
}

/** Every row of the group fails with why the database could not take it. */
function groupFailed(jobs: RecordJob[], error: unknown): RecordOutcome[] {
  const message = `the station database could not record the certificates: ${error instanceof Error ? error.message : String(error)}`;
  return jobs.map(() => message);
}

/** Commits a group; per row, null or why it was not recorded. */
function record(jobs: RecordJob[]): RecordOutcome[] {
  try {
    // The common case, every row good, without savepoints: a savepoint per row made SQLite copy
    // each page the row touched into its statement journal, a quarter of the recorder's time.
    // If any row is refused the whole group rolls back and is written again row by row.
    writeTransaction(db, () => jobs.forEach(recordOne));
    return jobs.map(() => null);
  } catch (error) {
    // The database, not a row, failed (busy, full, unreadable): trying again row by row would
    // only wait out the busy timeout a second time.
    if (databaseFailed(error)) return groupFailed(jobs, error);
  }
  try {
    return recordEachAlone(jobs);
  } catch (error) {
    return groupFailed(jobs, error);
  }
}

port.on('message', (jobs: RecordJob[]) => port.postMessage(record(jobs)));
port.on('close', () => db.close());
