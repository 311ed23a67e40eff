import type { Database } from 'better-sqlite3';
import type { Ca } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { type ParsedCertificate, parseCertificate, summarizeCertificate } from '../pki/certificate';
import { readNode } from '../pki/der';
import { statement } from '../store/statements';

export interface CaRow {
  id: string;
  name: string;
  kind: 'issuing' | 'trust-anchor';
  key_id: string | null;
  key_label: string | null;
  key_algorithm: string | null;
  subject: string;
  csr_der: Buffer | null;
  certificate_der: Buffer | null;
  issuers_der: Buffer | null;
  created_at: string;
  updated_at: string;
}

/** Splits concatenated DER certificates. */
export function splitDer(concatenated: Buffer | null): Buffer[] {
  if (!concatenated || concatenated.length === 0) return [];
  const out: Buffer[] = [];
  for (let offset = 0; offset < concatenated.length;) {
    const node = readNode(concatenated, offset);
    out.push(Buffer.from(node.raw));
    offset += node.raw.length;
  }
  return out;
}

/** This CA's certificate then its issuers, leaf-most first. */
export function caChain(row: CaRow): ParsedCertificate[] {
  if (!row.certificate_der) return [];
  return [row.certificate_der, ...splitDer(row.issuers_der)].map(parseCertificate);
}

export function toCa(row: CaRow): Ca {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.certificate_der ? 'ready' : 'awaiting-certificate',
    keyLabel: row.key_label,
    keyAlgorithm: row.key_algorithm,
    subject: row.subject,
    chain: caChain(row).map(summarizeCertificate),
    createdAt: row.created_at,
  };
}

export function listCaRows(db: Database): CaRow[] {
  return statement(db, 'SELECT * FROM certificate_authorities ORDER BY name COLLATE NOCASE').all() as CaRow[];
}

export function findCaRow(db: Database, id: string): CaRow | undefined {
  return statement(db, 'SELECT * FROM certificate_authorities WHERE id = ?').get(id) as CaRow | undefined;
}

export function getCaRow(db: Database, id: string, step: string): CaRow {
  const row = findCaRow(db, id);
  if (!row) throw new StationError('CA_NOT_FOUND', `No CA with ID ${id} exists.`, { step, params: { id } });
  return row;
}

export function assertCaNameFree(db: Database, name: string, step: string): void {
  const taken = statement(db, 'SELECT 1 FROM certificate_authorities WHERE name = ?').get(name);
  if (taken) {
    throw new StationError('CA_NAME_TAKEN', `A CA named "${name}" already exists.`, { step, params: { name } });
  }
}

export function insertCaRow(db: Database, row: CaRow): void {
  statement(
    db,
    `INSERT INTO certificate_authorities
       (id, name, kind, key_id, key_label, key_algorithm, subject, csr_der, certificate_der, issuers_der, created_at, updated_at)
     VALUES (@id, @name, @kind, @key_id, @key_label, @key_algorithm, @subject, @csr_der, @certificate_der, @issuers_der, @created_at, @updated_at)`,
  ).run(row);
}

export function setCaCertificate(db: Database, id: string, certificate: Buffer, issuers: Buffer, time: string): void {
  statement(
    db,
    'UPDATE certificate_authorities SET certificate_der = ?, issuers_der = ?, updated_at = ? WHERE id = ?',
  ).run(certificate, issuers, time, id);
}

/** Every certificate the station can build chains from: CA certificates and their stored issuers. */
export function knownCertificates(db: Database): ParsedCertificate[] {
  const seen = new Set<string>();
  const out: ParsedCertificate[] = [];
  for (const row of listCaRows(db)) {
    for (const cert of caChain(row)) {
      const key = cert.der.toString('base64');
      if (!seen.has(key)) {
        seen.add(key);
        out.push(cert);
      }
    }
  }
  return out;
}
