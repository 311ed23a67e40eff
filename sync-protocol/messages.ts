/** Requests and answers between a station and the central server (besides the records themselves). */
import { z } from 'zod';
import { syncRecordSchema } from './records';

/** At most this many records per push; the station sends fewer, the server refuses more (413). */
export const maxRecordsPerPush = 2000;
/** The server refuses a request body larger than this (413) before parsing it. */
export const maxRequestBytes = 16 * 1024 * 1024;

/**
 * A push carries outbox entries firstSeq..lastSeq in order, without gaps. The server applies
 * each (station, seq) once: entries at or below its high-water mark are acknowledged and skipped,
 * a push starting beyond the mark + 1 is refused with SYNC_GAP and the mark to resume from.
 */
export const pushRequestSchema = z
  .strictObject({
    stationId: z.string().uuid(),
    firstSeq: z.number().int().positive(),
    lastSeq: z.number().int().positive(),
    records: z.array(syncRecordSchema).min(1).max(maxRecordsPerPush),
  })
  .superRefine((push, ctx) => {
    if (push.lastSeq - push.firstSeq + 1 !== push.records.length) {
      ctx.addIssue({ code: 'custom', message: 'firstSeq..lastSeq must count the records', path: ['lastSeq'] });
      return;
    }
    push.records.forEach((r, i) => {
      if (r.seq !== push.firstSeq + i) {
        ctx.addIssue({
          code: 'custom',
          message: `record ${i} must have seq ${push.firstSeq + i}`,
          path: ['records', i, 'seq'],
        });
      }
    });
  });
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const pushResponseSchema = z.strictObject({
  /** The station's high-water mark after this push: every seq up to it is on the server. */
  appliedThrough: z.number().int().nonnegative(),
  applied: z.number().int().nonnegative(),
  /** Records in this push that an earlier delivery had already applied. */
  duplicates: z.number().int().nonnegative(),
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

export const syncStateResponseSchema = z.strictObject({
  stationId: z.string().uuid(),
  appliedThrough: z.number().int().nonnegative(),
  serverTime: z.string(),
});
export type SyncStateResponse = z.infer<typeof syncStateResponseSchema>;

export const enrolRequestSchema = z.strictObject({
  enrolmentToken: z.string().min(1).max(200),
  /** What the station calls itself (host name, line name), for people reading the server. */
  stationName: z.string().min(1).max(256),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const enrolResponseSchema = z.strictObject({
  stationId: z.string().uuid(),
  /** The station credential, shown once: sent as a bearer token on every later request. */
  credential: z.string().min(1),
});
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

/** Every error the server answers has this body; `code` is stable, `message` is for people. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Stable error codes the server answers with (the station shows them to operators). */
export const serverErrorCodes = [
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'TOKEN_REVOKED',
  'PERMISSION_DENIED',
  'STATION_REVOKED',
  'STATION_MISMATCH',
  'ENROLMENT_TOKEN_INVALID',
  'SYNC_GAP',
  'NOT_FOUND',
  'CONFLICT',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ServerErrorCode = (typeof serverErrorCodes)[number];
