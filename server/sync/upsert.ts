import type { PoolClient } from 'pg';
import type { CertificateRecord, JobRecord } from '../../sync-protocol';
import { ServerError } from '../errors';

type WithSeq<T> = T & { seq: number };

/**
 * One statement per kind: the records go in as one JSON array that jsonb_to_recordset turns into
 * rows. The conflict clause only updates a row the same station owns; a row owned by another
 * station is left alone, which shows as a short row count and fails the whole push.
 */
const statements = {
  certificate: `
    INSERT INTO certificates (id, station_id, source_seq, serial, subject, not_before, not_after, der, status,
                              policy_id, ca_id, device_id, key_type, issued_at, issued_by, job_id)
    SELECT r.id, $1, r.seq, r.serial, r.subject, r."notBefore", r."notAfter", decode(r.der, 'base64'), r.status,
           r."policyId", r."caId", r."deviceId", r."keyType", r."issuedAt", r."issuedBy", r."jobId"
      FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, seq bigint, serial text, subject text, "notBefore" text,
           "notAfter" text, der text, status text, "policyId" uuid, "caId" uuid, "deviceId" uuid, "keyType" text,
           "issuedAt" text, "issuedBy" text, "jobId" uuid)
    ON CONFLICT (id) DO UPDATE SET
      source_seq = excluded.source_seq, serial = excluded.serial, subject = excluded.subject,
      not_before = excluded.not_before, not_after = excluded.not_after, der = excluded.der, status = excluded.status,
      policy_id = excluded.policy_id, ca_id = excluded.ca_id, device_id = excluded.device_id,
      key_type = excluded.key_type, issued_at = excluded.issued_at, issued_by = excluded.issued_by,
      job_id = excluded.job_id, received_at = now()
    WHERE certificates.station_id = excluded.station_id`,
  job: `
    INSERT INTO jobs (id, station_id, source_seq, kind, input_name, state, created_by, created_at, started_at,
                      finished_at, rows)
    SELECT r.id, $1, r.seq, r.kind, r."inputName", r.state, r."createdBy", r."createdAt", r."startedAt",
           r."finishedAt", r.rows
      FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, seq bigint, kind text, "inputName" text, state text,
           "createdBy" text, "createdAt" text, "startedAt" text, "finishedAt" text, rows jsonb)
    ON CONFLICT (id) DO UPDATE SET
      source_seq = excluded.source_seq, kind = excluded.kind, input_name = excluded.input_name,
      state = excluded.state, created_by = excluded.created_by, created_at = excluded.created_at,
      started_at = excluded.started_at, finished_at = excluded.finished_at, rows = excluded.rows,
      received_at = now()
    WHERE jobs.station_id = excluded.station_id`,
} as const;

export async function upsertOwned(
  client: PoolClient,
  stationId: string,
  kind: 'certificate',
  records: WithSeq<CertificateRecord>[],
): Promise<void>;
export async function upsertOwned(
  client: PoolClient,
  stationId: string,
  kind: 'job',
  records: WithSeq<JobRecord>[],
): Promise<void>;
export async function upsertOwned(
  client: PoolClient,
  stationId: string,
  kind: keyof typeof statements,
  records: WithSeq<CertificateRecord | JobRecord>[],
): Promise<void> {
  if (records.length === 0) return;
  const result = await client.query(statements[kind], [stationId, JSON.stringify(records)]);
  if (result.rowCount === records.length) return;
  const table = kind === 'certificate' ? 'certificates' : 'jobs';
  const { rows } = await client.query<{ id: string }>(
    `SELECT id FROM ${table} WHERE id = ANY($1::uuid[]) AND station_id <> $2 LIMIT 1`,
    [records.map((r) => r.id), stationId],
  );
  throw ownedElsewhere(kind, rows[0]?.id);
}

export const ownedElsewhere = (kind: string, id: string | undefined) =>
  new ServerError('CONFLICT', `A ${kind} in this push already belongs to another station; nothing was applied.`, {
    kind,
    ...(id ? { id } : {}),
  });
