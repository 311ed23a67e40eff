import { z } from 'zod';
import { apiBase } from '../../sync-protocol';
import { beyondCaller, refuseCall } from '../auth/authorize';
import { actorOf, type UserPrincipal } from '../auth/principal';
import { recordServerAudit } from '../audit/server-audit';
import { withTransaction, type Queryable } from '../db/pool';
import { ServerError } from '../errors';
import { mintToken } from '../users/store';
import { defineRoute, iso, uuidParam } from './route';

const tokenSchema = z.strictObject({
  id: z.string().uuid(),
  name: z.string(),
  prefix: z.string(),
  userId: z.string().uuid(),
  userName: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  user_id: string;
  user_name: string;
  created_at: Date;
  created_by: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const tokenQuery = `SELECT t.id, t.name, t.prefix, t.user_id, u.name AS user_name, t.created_at, t.created_by,
                           t.expires_at, t.last_used_at, t.revoked_at
                      FROM api_tokens t JOIN users u ON u.id = t.user_id`;

const toToken = (row: TokenRow): z.infer<typeof tokenSchema> => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  userId: row.user_id,
  userName: row.user_name,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
  expiresAt: iso(row.expires_at),
  lastUsedAt: iso(row.last_used_at),
  revokedAt: iso(row.revoked_at),
});

const canManageUsers = (principal: UserPrincipal) => principal.permissions.has('users.manage');

/**
 * A person mints tokens for themselves; only a user manager mints them for a service user, and
 * only for one whose permissions they hold themselves; nobody mints a token that acts as another
 * person. Refusals are audited through `db`, so it must not be the transaction they roll back.
 */
async function tokenOwner(db: Queryable, principal: UserPrincipal, forUserId: string | undefined): Promise<string> {
  const subject = `POST ${apiBase}/tokens`;
  if (forUserId === undefined || forUserId === principal.userId) {
    if (principal.userKind === 'person' || canManageUsers(principal)) return principal.userId;
    throw await refuseCall(db, principal, subject, 'A service user cannot mint its own tokens.', 'users.manage');
  }
  if (!canManageUsers(principal)) {
    throw await refuseCall(
      db,
      principal,
      subject,
      'Only a user manager mints tokens for a service user.',
      'users.manage',
    );
  }
  const { rows } = await db.query<{ kind: string; permissions: string[] }>(
    'SELECT kind, permissions FROM users WHERE id = $1',
    [forUserId],
  );
  const target = rows[0];
  if (!target) throw new ServerError('NOT_FOUND', 'No such user.');
  if (target.kind !== 'service') {
    throw await refuseCall(db, principal, subject, 'A token cannot be minted to act as another person.', 'self');
  }
  const beyond = beyondCaller(principal, target.permissions);
  if (beyond.length > 0) {
    throw await refuseCall(
      db,
      principal,
      subject,
      `This service user holds permissions you do not: ${beyond.join(', ')}.`,
      beyond.join(','),
    );
  }
  return forUserId;
}

export const tokenRoutes = [
  defineRoute({
    method: 'POST',
    path: `${apiBase}/tokens`,
    access: 'user',
    summary:
      'Mint an API token (shown once) for yourself, or, with users.manage, for a service user. It acts with its user’s permissions as they are at each call.',
    body: z.strictObject({
      name: z.string().trim().min(1).max(256),
      expiresAt: z.string().datetime({ offset: true }).optional(),
      forUserId: z.string().uuid().optional(),
    }),
    response: z.strictObject({ token: z.string(), id: z.string().uuid(), prefix: z.string() }),
    status: 201,
    handle: async ({ db, body, principal }) => {
      // Checked on the pool before the transaction: a refusal's audit must outlive the rollback.
      const userId = await tokenOwner(db, principal, body.forUserId);
      const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
      if (expiresAt !== null && expiresAt.getTime() <= Date.now()) {
        throw new ServerError('BAD_REQUEST', 'expiresAt must be in the future.');
      }
      return withTransaction(db, async (client) => {
        const minted = await mintToken(client, { userId, name: body.name, expiresAt, createdBy: actorOf(principal) });
        await recordServerAudit(client, {
          actor: actorOf(principal),
          action: 'token.created',
          subject: minted.id,
          details: { name: body.name, userId, prefix: minted.prefix, expiresAt: iso(expiresAt) },
        });
        return minted;
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${apiBase}/tokens`,
    access: 'user',
    summary: 'List your API tokens (a user manager sees everyone’s); never the secrets.',
    response: z.strictObject({ items: z.array(tokenSchema) }),
    handle: async ({ db, principal }) => {
      const { rows } = canManageUsers(principal)
        ? await db.query<TokenRow>(`${tokenQuery} ORDER BY t.created_at, t.id`)
        : await db.query<TokenRow>(`${tokenQuery} WHERE t.user_id = $1 ORDER BY t.created_at, t.id`, [
            principal.userId,
          ]);
      return { items: rows.map(toToken) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: `${apiBase}/tokens/{id}`,
    access: 'user',
    summary: 'Revoke an API token: your own, or any with users.manage.',
    response: tokenSchema,
    handle: ({ db, params, principal }) =>
      withTransaction(db, async (client) => {
        const id = uuidParam(params);
        const { rows } = await client.query<TokenRow>(`${tokenQuery} WHERE t.id = $1 FOR UPDATE OF t`, [id]);
        const token = rows[0];
        // Someone else's token is reported as missing to a non-manager, so token IDs cannot be probed.
        if (!token || (token.user_id !== principal.userId && !canManageUsers(principal))) {
          throw new ServerError('NOT_FOUND', 'No such token.');
        }
        const { rows: revoked } = await client.query<{ revoked_at: Date }>(
          'UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING revoked_at',
          [id],
        );
        await recordServerAudit(client, {
          actor: actorOf(principal),
          action: 'token.revoked',
          subject: id,
          details: { name: token.name, userId: token.user_id },
        });
        return toToken({ ...token, revoked_at: revoked[0]?.revoked_at ?? null });
      }),
  }),
];
