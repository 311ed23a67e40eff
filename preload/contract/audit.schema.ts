import { z } from 'zod';

const isoTime = z.string().datetime({ offset: true, message: 'must be an ISO 8601 time such as 2026-11-24T08:00:00Z' });

export const auditEntrySchema = z.object({
  seq: z.number().int().positive(),
  time: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.string(),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

/** Every filter is optional; text filters match anywhere in the field, case-insensitively. */
export const auditFilterSchema = z.strictObject({
  actor: z.string().trim().max(128).optional(),
  action: z.string().trim().max(128).optional(),
  /** A device name or id, a certificate serial, a user: whatever the entry is about. */
  subject: z.string().trim().max(256).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const listAuditInput = auditFilterSchema.extend({
  /** Newest first: the page starts below this sequence number. */
  beforeSeq: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  /** Pass as beforeSeq for the next (older) page; null at the start of the log. */
  nextBeforeSeq: z.number().int().positive().nullable(),
});

export const auditExportSchema = z.object({
  filename: z.string(),
  csv: z.string(),
  rows: z.number().int().nonnegative(),
});

export const auditAnchorSchema = z.object({ seq: z.number().int().nonnegative(), hash: z.string() });

export const verifyAuditInput = z.strictObject({ anchor: auditAnchorSchema.optional() });

export const auditVerificationSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int().nonnegative(),
  head: auditAnchorSchema.nullable(),
  /** In log order: the first names the first broken link. */
  problems: z.array(
    z.object({ kind: z.enum(['gap', 'broken-link', 'altered', 'head-mismatch']), seq: z.number().int() }),
  ),
});
