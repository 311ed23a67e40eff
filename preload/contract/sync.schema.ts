import { z } from 'zod';

/**
 * How the station stands with the central server. `connection` is what the last request found:
 * online (it worked), offline (no answer, or the server failing: records wait and are retried),
 * refused (the server answered no — a revoked or wrong credential: retrying will not help).
 */
export const syncConnections = ['not-enrolled', 'unknown', 'online', 'offline', 'refused'] as const;

export const syncStatusSchema = z.object({
  connection: z.enum(syncConnections),
  serverUrl: z.string().nullable(),
  stationId: z.string().nullable(),
  stationName: z.string().nullable(),
  /** Records written on this station that the server has not acknowledged yet. */
  queueLength: z.number().int().nonnegative(),
  /** Every outbox entry up to this sequence is on the server. */
  pushedThrough: z.number().int().nonnegative(),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** When the worker tries again after a failure (null: not waiting, or no worker in this process). */
  nextAttemptAt: z.string().nullable(),
  /** Configuration from the server that this station could not take (e.g. a policy for a CA it lacks). */
  configWarnings: z.array(z.string()),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const enrolStationInput = z.strictObject({
  serverUrl: z.string().min(1).max(2048),
  enrolmentToken: z.string().min(1).max(200),
  stationName: z.string().min(1).max(256),
});
export type EnrolStationInput = z.input<typeof enrolStationInput>;
