import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { ApiToken } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { statement } from '../store/statements';
import { digest, newTokenSecret } from './secrets';

export interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  username: string;
  kind: 'person' | 'service';
}

const tokenSelect = `SELECT t.*, u.username, u.kind FROM api_tokens t JOIN users u ON u.id = t.user_id`;

export function toApiToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.user_id,
    username: row.username,
    userKind: row.kind,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function listTokens(db: Database, onlyCreatedByOrFor?: { userId: string; username: string }): ApiToken[] {
  const rows = onlyCreatedByOrFor
    ? statement(db, `${tokenSelect} WHERE t.user_id = ? OR t.created_by = ? ORDER BY t.created_at DESC`).all(
        onlyCreatedByOrFor.userId,
        onlyCreatedByOrFor.username,
      )
    : statement(db, `${tokenSelect} ORDER BY t.created_at DESC`).all();
  return (rows as TokenRow[]).map(toApiToken);
}

export function getTokenRow(db: Database, id: string, step: string): TokenRow {
  const row = statement(db, `${tokenSelect} WHERE t.id = ?`).get(id) as TokenRow | undefined;
  if (!row) throw new StationError('TOKEN_NOT_FOUND', `No API token with ID ${id} exists.`, { step, params: { id } });
  return row;
}

export function findTokenBySecret(db: Database, secret: string): TokenRow | undefined {
  return statement(db, `${tokenSelect} WHERE t.secret_hash = ?`).get(digest(secret)) as TokenRow | undefined;
}

/** Inserts a token and returns its secret, which exists nowhere else once the caller has shown it. */
export function insertToken(
  db: Database,
  token: { userId: string; name: string; createdBy: string; expiresAt: string | null },
  now: string,
): { id: string; secret: string } {
  const id = randomUUID();
  const secret = newTokenSecret();
  statement(
    db,
    `INSERT INTO api_tokens (id, user_id, name, prefix, secret_hash, created_by, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(id, token.userId, token.name, secret.slice(0, 12), digest(secret), token.createdBy, now, token.expiresAt);
  return { id, secret };
}

export function markTokenRevoked(db: Database, id: string, now: string): void {
  statement(db, 'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
}

export function markTokenUsed(db: Database, id: string, now: string): void {
  statement(db, 'UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
}
