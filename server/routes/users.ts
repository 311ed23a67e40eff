import { z } from 'zod';
import { apiBase } from '../../sync-protocol';
import { beyondCaller, refuseCall } from '../auth/authorize';
import { isPermission, permissionSchema } from '../auth/permissions';
import { actorOf } from '../auth/principal';
import { recordServerAudit } from '../audit/server-audit';
import { withTransaction } from '../db/pool';
import { insertUser, userColumns, type UserRow } from '../users/store';
import { defineRoute } from './route';

const userSchema = z.strictObject({
  id: z.string().uuid(),
  name: z.string(),
  kind: z.enum(['person', 'service']),
  permissions: z.array(permissionSchema),
  createdAt: z.string(),
  createdBy: z.string(),
});

const toUser = (row: UserRow): z.infer<typeof userSchema> => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  permissions: row.permissions.filter(isPermission),
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
});

export const userRoutes = [
  defineRoute({
    method: 'POST',
    path: `${apiBase}/service-users`,
    access: 'users.manage',
    summary: 'Create a service user: its tokens act with only the permissions given here.',
    body: z.strictObject({
      name: z.string().trim().min(1).max(256),
      permissions: z.array(permissionSchema).max(16),
    }),
    response: userSchema,
    status: 201,
    handle: async ({ db, body, principal }) => {
      const beyond = beyondCaller(principal, body.permissions);
      if (beyond.length > 0) {
        // Audited on the pool, not in the transaction that the refusal rolls back.
        throw await refuseCall(
          db,
          principal,
          `POST ${apiBase}/service-users`,
          `You cannot grant permissions you do not hold: ${beyond.join(', ')}.`,
          beyond.join(','),
        );
      }
      return withTransaction(db, async (client) => {
        const user = await insertUser(client, {
          name: body.name,
          kind: 'service',
          permissions: body.permissions,
          createdBy: actorOf(principal),
        });
        await recordServerAudit(client, {
          actor: actorOf(principal),
          action: 'user.service-created',
          subject: user.id,
          details: { name: user.name, permissions: user.permissions },
        });
        return toUser(user);
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${apiBase}/users`,
    access: 'users.manage',
    summary: 'List the server users (people and service users) with their permissions.',
    response: z.strictObject({ items: z.array(userSchema) }),
    handle: async ({ db }) => {
      const { rows } = await db.query<UserRow>(`SELECT ${userColumns} FROM users ORDER BY lower(name), id`);
      return { items: rows.map(toUser) };
    },
  }),
];
