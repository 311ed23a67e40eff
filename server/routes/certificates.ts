import { z } from 'zod';
import { apiBase, certificateRecordSchema } from '../../sync-protocol';
import { ServerError } from '../errors';
import { Filters } from './filters';
import { defineRoute, pageSchema, pagingQuery, toPage, uuidParam } from './route';

const certificateSummarySchema = certificateRecordSchema.omit({ der: true }).extend({
  stationId: z.string().uuid(),
  receivedAt: z.string(),
});
const certificateSchema = certificateSummarySchema.extend({ der: certificateRecordSchema.shape.der });
type CertificateSummary = z.infer<typeof certificateSummarySchema>;

interface CertificateRow {
  id: string;
  station_id: string;
  serial: string;
  subject: string;
  not_before: string;
  not_after: string;
  status: CertificateSummary['status'];
  policy_id: string;
  ca_id: string;
  device_id: string | null;
  key_type: string;
  issued_at: string;
  issued_by: string;
  job_id: string | null;
  received_at: Date;
}

const columns = `id, station_id, serial, subject, not_before, not_after, status, policy_id, ca_id, device_id, key_type,
  issued_at, issued_by, job_id, received_at`;

const toSummary = (row: CertificateRow): CertificateSummary => ({
  id: row.id,
  serial: row.serial,
  subject: row.subject,
  notBefore: row.not_before,
  notAfter: row.not_after,
  status: row.status,
  policyId: row.policy_id,
  caId: row.ca_id,
  deviceId: row.device_id,
  keyType: row.key_type,
  issuedAt: row.issued_at,
  issuedBy: row.issued_by,
  jobId: row.job_id,
  stationId: row.station_id,
  receivedAt: row.received_at.toISOString(),
});

export const certificateRoutes = [
  defineRoute({
    method: 'GET',
    path: `${apiBase}/certificates`,
    access: 'records.view',
    summary: 'List certificates (without their DER), filtered, in pages ordered by ID.',
    query: z.object({
      ...pagingQuery,
      after: z.string().uuid().optional(),
      deviceId: z.string().uuid().optional(),
      stationId: z.string().uuid().optional(),
      serial: z.string().max(64).optional(),
    }),
    response: pageSchema(certificateSummarySchema),
    handle: async ({ db, query }) => {
      const filters = new Filters()
        .add('id > ?', query.after)
        .add('device_id = ?', query.deviceId)
        .add('station_id = ?', query.stationId)
        .add('serial = ?', query.serial?.toLowerCase());
      const { rows } = await db.query<CertificateRow>(
        `SELECT ${columns} FROM certificates ${filters.where} ORDER BY id LIMIT ${filters.param(query.limit + 1)}`,
        filters.values,
      );
      return toPage(rows, query.limit, toSummary, (row) => row.id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${apiBase}/certificates/{id}`,
    access: 'records.view',
    summary: 'One certificate, with its DER in base64.',
    response: certificateSchema,
    handle: async ({ db, params }) => {
      const { rows } = await db.query<CertificateRow & { der: Buffer }>(
        `SELECT ${columns}, der FROM certificates WHERE id = $1`,
        [uuidParam(params)],
      );
      const row = rows[0];
      if (!row) throw new ServerError('NOT_FOUND', 'No such certificate.');
      return { ...toSummary(row), der: row.der.toString('base64') };
    },
  }),
];
