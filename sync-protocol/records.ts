/**
 * The records a station pushes to the central server, as they travel: one shape per kind, each
 * a full snapshot of the record as it is on the station when it is pushed (an upsert by id, so a
 * record pushed twice lands once). The station is authoritative for everything here.
 */
import { z } from 'zod';

const id = z.string().uuid();
const time = z.string().min(1).max(40);
const text = (max: number) => z.string().max(max);

export const deviceRecordSchema = z.strictObject({
  id,
  name: text(256).min(1),
  description: text(4096),
  groupId: id,
  attributes: z.record(text(128), text(4096)),
  state: z.enum(['Enrolled', 'Registered', 'Provisioned', 'Deleted']),
  status: z.enum(['Enabled', 'Disabled']),
  createdAt: time,
  updatedAt: time,
  lastSeenAt: time.nullable(),
});
export type DeviceRecord = z.infer<typeof deviceRecordSchema>;

export const certificateRecordSchema = z.strictObject({
  id,
  serial: z.string().regex(/^[0-9a-f]{1,64}$/, 'lower-case hex serial'),
  subject: text(4096),
  notBefore: time,
  notAfter: time,
  /** The certificate's DER, base64: the server keeps the certificate itself, not a summary. */
  der: z
    .string()
    .base64()
    .max(64 * 1024),
  status: z.enum(['issued', 'revoked', 'superseded']),
  policyId: id,
  caId: id,
  deviceId: id.nullable(),
  keyType: text(32),
  issuedAt: time,
  issuedBy: text(256),
  jobId: id.nullable(),
});
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

export const jobRecordSchema = z.strictObject({
  id,
  kind: z.enum(['register-devices', 'certificates-managed', 'certificates-unmanaged']),
  inputName: text(1024),
  state: z.enum(['validating', 'validated', 'rejected', 'running', 'interrupted', 'cancelled', 'completed']),
  createdBy: text(256),
  createdAt: time,
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
  /** Rows by status (pending, done, failed, …) when the job was pushed. */
  rows: z.record(text(32), z.number().int().nonnegative()),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/** One entry of the station's hash-chained audit log, chain fields included so the server can re-check it. */
export const auditRecordSchema = z.strictObject({
  seq: z.number().int().positive(),
  time,
  actor: text(256),
  action: text(128),
  subject: text(1024),
  details: text(64 * 1024),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** An outbox entry: `seq` is the station's outbox sequence, the key that makes delivery exactly-once. */
export const syncRecordSchema = z.discriminatedUnion('kind', [
  z.strictObject({ seq: z.number().int().positive(), kind: z.literal('device'), record: deviceRecordSchema }),
  z.strictObject({ seq: z.number().int().positive(), kind: z.literal('certificate'), record: certificateRecordSchema }),
  z.strictObject({ seq: z.number().int().positive(), kind: z.literal('job'), record: jobRecordSchema }),
  z.strictObject({ seq: z.number().int().positive(), kind: z.literal('audit'), record: auditRecordSchema }),
]);
export type SyncRecord = z.infer<typeof syncRecordSchema>;
export type SyncRecordKind = SyncRecord['kind'];
