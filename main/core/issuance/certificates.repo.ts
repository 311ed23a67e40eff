import type { Database } from 'better-sqlite3';
import type { CertificateRecord } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { statement } from '../store/statements';

export interface CertificateRow {
  id: string;
  serial: string;
  subject: string;
  not_before: string;
  not_after: string;
  der: Buffer;
  status: 'issued' | 'revoked' | 'superseded';
  policy_id: string;
  ca_id: string;
  device_id: string | null;
  key_type: string;
  issued_at: string;
  issued_by: string;
  /** The line's device attempt that asked for it (null outside the line). */
  provisioning_id?: string | null;
  /** The batch job row that asked for it (null outside batch jobs). */
  job_id?: string | null;
  job_line?: number | null;
}

/** A batch job's row: its outcome and sealed key are committed with the certificate. */
export interface JobRowLink {
  jobId: string;
  line: number;
  sealedKey: Uint8Array | null;
}

/** Marks a pending job row done with its certificate; refuses a row that is not pending any more. */
export function completeJobRow(db: Database, link: JobRowLink, certificateId: string): void {
  const changed = statement(
    db,
    `UPDATE job_rows SET status = 'done', certificate_id = ?, sealed_key = ?, error_code = NULL, error_message = NULL
     WHERE job_id = ? AND line = ? AND status = 'pending'`,
  ).run(certificateId, link.sealedKey === null ? null : Buffer.from(link.sealedKey), link.jobId, link.line);
  if (changed.changes !== 1) throw new Error(`job row ${link.jobId}:${link.line} is not pending`);
}

export function insertCertificate(db: Database, row: CertificateRow): void {
  statement(
    db,
    `INSERT INTO certificates (id, serial, subject, not_before, not_after, der, status, policy_id, ca_id, device_id, key_type, issued_at, issued_by, provisioning_id, job_id, job_line)
     VALUES (@id, @serial, @subject, @not_before, @not_after, @der, @status, @policy_id, @ca_id, @device_id, @key_type, @issued_at, @issued_by, @provisioning_id, @job_id, @job_line)`,
  ).run({
    ...row,
    provisioning_id: row.provisioning_id ?? null,
    job_id: row.job_id ?? null,
    job_line: row.job_line ?? null,
  });
}

export function serialTaken(db: Database, serial: string): boolean {
  return statement(db, 'SELECT 1 FROM certificates WHERE serial = ?').get(serial) !== undefined;
}

const selectRecords = `
  SELECT c.*, p.name AS policy_name FROM certificates c JOIN policies p ON p.id = c.policy_id`;

type RecordRow = CertificateRow & { policy_name: string };

export function toCertificateRecord(row: CertificateRow, policyName: string): CertificateRecord {
  return {
    id: row.id,
    serialNumber: row.serial,
    subject: row.subject,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status,
    policyId: row.policy_id,
    policyName,
    caId: row.ca_id,
    deviceId: row.device_id,
    keyType: row.key_type,
    issuedAt: row.issued_at,
    issuedBy: row.issued_by,
  };
}

export function listCertificates(db: Database, query: { deviceId?: string; limit: number }): CertificateRecord[] {
  const rows = (
    query.deviceId === undefined
      ? statement(db, `${selectRecords} ORDER BY c.seq DESC LIMIT ?`).all(query.limit)
      : statement(db, `${selectRecords} WHERE c.device_id = ? ORDER BY c.seq DESC LIMIT ?`).all(
          query.deviceId,
          query.limit,
        )
  ) as RecordRow[];
  return rows.map((row) => toCertificateRecord(row, row.policy_name));
}

export function getCertificateRow(db: Database, id: string): RecordRow {
  const row = statement(db, `${selectRecords} WHERE c.id = ?`).get(id) as RecordRow | undefined;
  if (!row) {
    throw new StationError('CERTIFICATE_NOT_FOUND', `No certificate with ID ${id} exists.`, {
      step: 'get-certificate',
      params: { id },
    });
  }
  return row;
}

/** Which line attempt a certificate is for; see recordProvisioningCertificate. */
export interface ProvisioningLink {
  id: string;
  runId: string;
  serialNumber: string;
}

/**
 * In the transaction that records a line certificate: every earlier certificate still live for
 * the same device serial in the same run is marked superseded (with an audit entry each), and the
 * attempt records that it reached 'issued'. A crash between signing and this commit leaves no
 * certificate at all; a crash after it leaves exactly one live certificate for the device.
 */
export function supersedeForProvisioning(
  db: Database,
  link: ProvisioningLink,
  newCertificateId: string,
  actor: string,
  audit: (record: { actor: string; action: string; subject: string; details: Record<string, unknown> }) => void,
): void {
  const earlier = statement(
    db,
    `SELECT c.id, c.serial FROM certificates c JOIN provisionings p ON p.id = c.provisioning_id
     WHERE p.run_id = ? AND p.serial_number = ? AND c.status = 'issued' AND c.id <> ?`,
  ).all(link.runId, link.serialNumber, newCertificateId) as Array<{ id: string; serial: string }>;
  const supersede = statement(db, "UPDATE certificates SET status = 'superseded' WHERE id = ?");
  for (const old of earlier) {
    supersede.run(old.id);
    audit({
      actor,
      action: 'certificate.superseded',
      subject: old.id,
      details: { serial: old.serial, supersededBy: newCertificateId, deviceSerial: link.serialNumber },
    });
  }
  statement(db, "UPDATE provisionings SET certificate_id = ?, step = 'issued' WHERE id = ?").run(
    newCertificateId,
    link.id,
  );
}
