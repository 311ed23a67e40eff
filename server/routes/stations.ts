import { z } from 'zod';
import { actorOf } from '../auth/principal';
import { hashSecret, newSecret } from '../auth/secrets';
import { recordServerAudit } from '../audit/server-audit';
import { onlyRow, withTransaction, type Queryable } from '../db/pool';
import { ServerError } from '../errors';
import { apiBase } from '../../sync-protocol';
import { defineRoute, iso, uuidParam } from './route';

/** How long an enrolment token stays usable unless the caller asks otherwise. */
const defaultEnrolmentHours = 24;

const stationSchema = z.strictObject({
  id: z.string().uuid(),
  name: z.string(),
  status: z.enum(['pending', 'active', 'revoked']),
  createdAt: z.string(),
  enrolledAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  appliedThrough: z.number().int().nonnegative(),
  lastPushAt: z.string().nullable(),
});

interface StationRow {
  id: string;
  name: string;
  created_at: Date;
  enrolled_at: Date | null;
  revoked_at: Date | null;
  applied_through: string;
  last_push_at: Date | null;
}

const stationColumns = 'id, name, created_at, enrolled_at, revoked_at, applied_through, last_push_at';

function toStation(row: StationRow): z.infer<typeof stationSchema> {
  return {
    id: row.id,
    name: row.name,
    status: row.revoked_at ? 'revoked' : row.enrolled_at ? 'active' : 'pending',
    createdAt: row.created_at.toISOString(),
    enrolledAt: iso(row.enrolled_at),
    revokedAt: iso(row.revoked_at),
    appliedThrough: Number(row.applied_through),
    lastPushAt: iso(row.last_push_at),
  };
}

async function stationById(db: Queryable, id: string): Promise<StationRow> {
  const { rows } = await db.query<StationRow>(`SELECT ${stationColumns} FROM stations WHERE id = $1`, [id]);
  const row = rows[0];
  if (!row) throw new ServerError('NOT_FOUND', 'No such station.');
  return row;
}

export const stationRoutes = [
  defineRoute({
    method: 'POST',
    path: `${apiBase}/stations`,
    access: 'stations.manage',
    summary: 'Register a station; answers its one-time enrolment token (shown once).',
    body: z.strictObject({
      name: z.string().trim().min(1).max(256),
      expiresInHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30)
        .optional(),
    }),
    response: z.strictObject({ station: stationSchema, enrolmentToken: z.string() }),
    status: 201,
    handle: ({ db, body, principal }) =>
      withTransaction(db, async (client) => {
        const enrolmentToken = newSecret('enrolment');
        const { rows } = await client.query<StationRow>(
          `INSERT INTO stations (name, created_by, enrolment_token_hash, enrolment_expires_at)
           VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING ${stationColumns}`,
          [body.name, actorOf(principal), hashSecret(enrolmentToken), body.expiresInHours ?? defaultEnrolmentHours],
        );
        const station = toStation(onlyRow(rows));
        await recordServerAudit(client, {
          actor: actorOf(principal),
          action: 'station.created',
          subject: station.id,
          details: { name: station.name },
        });
        return { station, enrolmentToken };
      }),
  }),
  defineRoute({
    method: 'GET',
    path: `${apiBase}/stations`,
    access: 'records.view',
    summary: 'List the stations with their sync high-water mark and last push.',
    response: z.strictObject({ items: z.array(stationSchema) }),
    handle: async ({ db }) => {
      const { rows } = await db.query<StationRow>(`SELECT ${stationColumns} FROM stations ORDER BY created_at, id`);
      return { items: rows.map(toStation) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${apiBase}/stations/{id}/revoke`,
    access: 'stations.manage',
    summary: 'Revoke a station: its credential and any unused enrolment token stop working at once.',
    response: stationSchema,
    handle: ({ db, params, principal }) =>
      withTransaction(db, async (client) => {
        const id = uuidParam(params);
        await stationById(client, id);
        await client.query(
          `UPDATE stations SET revoked_at = coalesce(revoked_at, now()), enrolment_token_hash = NULL WHERE id = $1`,
          [id],
        );
        await recordServerAudit(client, { actor: actorOf(principal), action: 'station.revoked', subject: id });
        return toStation(await stationById(client, id));
      }),
  }),
];
