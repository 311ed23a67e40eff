import { onlyRow, type Queryable } from '../db/pool';
import { displayPrefix, hashSecret, newSecret } from '../auth/secrets';
import type { Permission } from '../auth/permissions';
import { ServerError } from '../errors';

export interface UserRow {
  id: string;
  name: string;
  kind: 'person' | 'service';
  permissions: string[];
  created_at: Date;
  created_by: string;
}

export const userColumns = 'id, name, kind, permissions, created_at, created_by';

export async function insertUser(
  db: Queryable,
  user: { name: string; kind: 'person' | 'service'; permissions: readonly Permission[]; createdBy: string },
): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (name, kind, permissions, created_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING RETURNING ${userColumns}`,
    [user.name, user.kind, [...new Set(user.permissions)], user.createdBy],
  );
  const row = rows[0];
  if (!row) throw new ServerError('CONFLICT', `A user named "${user.name}" already exists.`);
  return row;
}

export interface MintedToken {
  id: string;
  token: string;
  prefix: string;
}

export async function mintToken(
  db: Queryable,
  token: { userId: string; name: string; expiresAt: Date | null; createdBy: string },
): Promise<MintedToken> {
  const secret = newSecret('apiToken');
  const prefix = displayPrefix(secret);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [token.userId, token.name, hashSecret(secret), prefix, token.createdBy, token.expiresAt],
  );
  return { id: onlyRow(rows).id, token: secret, prefix };
}
