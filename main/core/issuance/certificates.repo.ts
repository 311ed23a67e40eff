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
}

export function insertCertificate(db: Database, row: CertificateRow): void {
  statement(
    db,
    `INSERT INTO certificates (id, serial, subject, not_before, not_after, der, status, policy_id, ca_id, device_id, key_type, issued_at, issued_by)
     VALUES (@id, @serial, @subject, @not_before, @not_after, @der, @status, @policy_id, @ca_id, @device_id, @key_type, @issued_at, @issued_by)`,
  ).run(row);
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
