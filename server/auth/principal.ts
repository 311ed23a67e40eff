import type { IncomingHttpHeaders } from 'node:http';
import { secretPrefixes } from '../../sync-protocol';
import type { Queryable } from '../db/pool';
import { ServerError } from '../errors';
import { isPermission, type Permission } from './permissions';
import { hashSecret } from './secrets';

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  userName: string;
  userKind: 'person' | 'service';
  permissions: ReadonlySet<Permission>;
  tokenId: string;
}

export interface StationPrincipal {
  kind: 'station';
  stationId: string;
  stationName: string;
}

export type Principal = UserPrincipal | StationPrincipal;

/** The name the server audit records a caller under. */
export const actorOf = (principal: Principal | null): string =>
  principal === null ? 'anonymous' : principal.kind === 'user' ? principal.userName : `station:${principal.stationId}`;

export function bearerOf(headers: IncomingHttpHeaders): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}

const unauthenticated = () => new ServerError('UNAUTHENTICATED', 'A valid bearer credential is required.');

/**
 * Looks the caller up on every request: permissions, revocation and expiry are read as they are
 * now, so a change made through any instance holds at once on all of them.
 */
export async function resolvePrincipal(db: Queryable, bearer: string | null): Promise<Principal> {
  if (bearer === null) throw unauthenticated();
  if (bearer.startsWith(secretPrefixes.station)) return resolveStation(db, bearer);
  if (bearer.startsWith(secretPrefixes.apiToken)) return resolveToken(db, bearer);
  throw unauthenticated();
}

async function resolveStation(db: Queryable, bearer: string): Promise<StationPrincipal> {
  const { rows } = await db.query<{ id: string; name: string; revoked: boolean }>(
    'SELECT id, name, revoked_at IS NOT NULL AS revoked FROM stations WHERE credential_hash = $1',
    [hashSecret(bearer)],
  );
  const station = rows[0];
  if (!station) throw unauthenticated();
  if (station.revoked) throw new ServerError('STATION_REVOKED', 'This station has been revoked on the server.');
  return { kind: 'station', stationId: station.id, stationName: station.name };
}

interface TokenRow {
  token_id: string;
  user_id: string;
  name: string;
  kind: 'person' | 'service';
  permissions: string[];
  revoked: boolean;
  expired: boolean;
}

async function resolveToken(db: Queryable, bearer: string): Promise<UserPrincipal> {
  // The expiry is compared with the database's clock, the one every instance shares.
  const { rows } = await db.query<TokenRow>(
    `SELECT t.id AS token_id, u.id AS user_id, u.name, u.kind, u.permissions,
            t.revoked_at IS NOT NULL AS revoked, t.expires_at IS NOT NULL AND t.expires_at <= now() AS expired
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1`,
    [hashSecret(bearer)],
  );
  const token = rows[0];
  if (!token) throw unauthenticated();
  if (token.revoked) throw new ServerError('TOKEN_REVOKED', 'This API token has been revoked.');
  if (token.expired) throw new ServerError('TOKEN_EXPIRED', 'This API token has expired.');
  // Recorded at most once a minute per token: a write on every request would be a write per read.
  await db.query(
    `UPDATE api_tokens SET last_used_at = now()
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [token.token_id],
  );
  return {
    kind: 'user',
    userId: token.user_id,
    userName: token.name,
    userKind: token.kind,
    permissions: new Set(token.permissions.filter(isPermission)),
    tokenId: token.token_id,
  };
}
