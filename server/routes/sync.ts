import { z } from 'zod';
import {
  configResponseSchema,
  maxRecordsPerPush,
  pushRequestSchema,
  pushResponseSchema,
  syncPaths,
  syncStateResponseSchema,
} from '../../sync-protocol';
import { pullConfig } from '../config/pull';
import { ServerError } from '../errors';
import { applyPush } from '../sync/apply-push';
import { defineRoute } from './route';

export const syncRoutes = [
  defineRoute({
    method: 'POST',
    path: syncPaths.push,
    access: 'station',
    summary: 'Push outbox entries firstSeq..lastSeq; each (station, seq) is applied exactly once.',
    body: pushRequestSchema,
    response: pushResponseSchema,
    // The contract answers an oversized batch with 413 (send fewer), not with a schema error.
    preflight: (raw) => {
      const records = typeof raw === 'object' && raw !== null && 'records' in raw ? raw.records : undefined;
      if (Array.isArray(records) && records.length > maxRecordsPerPush) {
        throw new ServerError('PAYLOAD_TOO_LARGE', `A push carries at most ${maxRecordsPerPush} records.`, {
          maxRecords: maxRecordsPerPush,
        });
      }
    },
    handle: ({ db, principal, body }) => applyPush(db, principal, body),
  }),
  defineRoute({
    method: 'GET',
    path: syncPaths.state,
    access: 'station',
    summary: "The station's high-water mark: the outbox seq everything up to which is on the server.",
    response: syncStateResponseSchema,
    handle: async ({ db, principal }) => {
      const { rows } = await db.query<{ applied_through: string; now: Date }>(
        'SELECT applied_through, now() FROM stations WHERE id = $1',
        [principal.stationId],
      );
      const row = rows[0];
      if (!row) throw new ServerError('NOT_FOUND', 'No such station.');
      return {
        stationId: principal.stationId,
        appliedThrough: Number(row.applied_through),
        serverTime: row.now.toISOString(),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: syncPaths.config,
    access: 'station',
    summary: 'Device groups and policies changed after config version `since` (0: everything).',
    query: z.object({ since: z.coerce.number().int().nonnegative().default(0) }),
    response: configResponseSchema,
    handle: ({ db, query }) => pullConfig(db, query.since),
  }),
];
