// The recorder's own thread: commits certificates with their audit entries on a connection of its
// own, so that waiting for the disk (synchronous = FULL) never stops the station's main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { appendAudit, type AuditRecord } from '../audit/audit-log.repo';
import { openDatabaseFile } from '../store/database';
import { writeEachOrRefuseAlone } from '../store/batch-write';
import { receivedBytes } from '../threads/own-bytes';
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
  insertCertificate(db, { ...job.row, der: receivedBytes(job.row.der) });
  appendAudit(db, job.audit, job.row.issued_at);
  if (job.provisioning) {
    const time = job.row.issued_at;
    supersedeForProvisioning(db, job.provisioning, job.row.id, job.audit.actor, (record) =>
      appendAudit(db, record, time),
    );
  }
  if (job.jobRow) completeJobRow(db, job.jobRow, job.row.id);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Commits a group; per row, null or why it was not recorded (a serial collision fails its row alone). */
function record(jobs: RecordJob[]): RecordOutcome[] {
  try {
    return writeEachOrRefuseAlone(db, jobs, recordOne).map((refusal) => (refusal === null ? null : messageOf(refusal)));
  } catch (error) {
    // The database, not a row, failed (busy, full, unreadable): the whole group fails.
    const message = `the station database could not record the certificates: ${messageOf(error)}`;
    return jobs.map(() => message);
  }
}

port.on('message', (jobs: RecordJob[]) => port.postMessage(record(jobs)));
port.on('close', () => db.close());
