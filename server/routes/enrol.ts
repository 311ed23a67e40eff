import { enrolRequestSchema, enrolResponseSchema, syncPaths } from '../../sync-protocol';
import { hashSecret, newSecret } from '../auth/secrets';
import { recordServerAudit } from '../audit/server-audit';
import { withTransaction } from '../db/pool';
import { ServerError } from '../errors';
import { defineRoute } from './route';

export const enrolRoutes = [
  defineRoute({
    method: 'POST',
    path: syncPaths.enrol,
    access: 'public',
    summary: 'Exchange a one-time enrolment token for the station credential (shown once).',
    body: enrolRequestSchema,
    response: enrolResponseSchema,
    handle: ({ db, body }) =>
      withTransaction(db, async (client) => {
        const credential = newSecret('station');
        // One conditional UPDATE both checks and spends the token, so two racing uses cannot both win.
        const { rows } = await client.query<{ id: string }>(
          `UPDATE stations
              SET enrolment_token_hash = NULL, enrolled_at = now(), enrolled_as = $2, credential_hash = $3
            WHERE enrolment_token_hash = $1 AND enrolment_expires_at > now() AND revoked_at IS NULL
            RETURNING id`,
          [hashSecret(body.enrolmentToken), body.stationName, hashSecret(credential)],
        );
        const station = rows[0];
        if (!station) {
          throw new ServerError(
            'ENROLMENT_TOKEN_INVALID',
            'This enrolment token is unknown, used, expired or revoked.',
          );
        }
        await recordServerAudit(client, {
          actor: `station:${station.id}`,
          action: 'station.enrolled',
          subject: station.id,
          details: { stationName: body.stationName },
        });
        return { stationId: station.id, credential };
      }),
  }),
];
