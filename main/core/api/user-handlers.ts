import type { Database } from 'better-sqlite3';
import type { CallParsedInput, User } from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { StationError } from '../errors/station-error';
import { writeTransaction } from '../store/write-transaction';
import { getTokenRow, insertToken, listTokens, markTokenRevoked, toApiToken } from '../users/api-tokens.repo';
import type { AuthService } from '../users/auth-service';
import { digest, hashSecret } from '../users/secrets';
import {
  assertBadgeFree,
  createRole,
  deleteRole,
  effectivePermissions,
  getRole,
  getUserRow,
  insertUser,
  listRoles,
  listUsers,
  otherActiveUserManagers,
  setRoles,
  toUser,
  type UserChanges,
  updateUserRow,
} from '../users/users.repo';
import type { CallContext } from './call-context';
import { assertAllowed, type Handlers } from './dispatcher';

type UserCalls =
  | 'auth.state'
  | 'auth.setupFirstAdmin'
  | 'auth.signIn'
  | 'auth.signOut'
  | 'auth.lock'
  | 'auth.unlock'
  | 'roles.list'
  | 'roles.create'
  | 'roles.delete'
  | 'users.list'
  | 'users.create'
  | 'users.update'
  | 'users.clearLockout'
  | 'users.createService'
  | 'tokens.list'
  | 'tokens.create'
  | 'tokens.revoke';

const hashOrNull = (secret: string | undefined) => (secret === undefined ? null : hashSecret(secret));

/** Undefined leaves a credential alone, null removes it, a value replaces it. */
async function credentialChange(
  value: string | null | undefined,
  hash: (secret: string) => string | Promise<string>,
): Promise<string | null | undefined> {
  if (value === undefined || value === null) return value;
  return hash(value);
}

function requireUser(ctx: CallContext, step: string): string {
  if (ctx.userId === undefined) {
    throw new StationError('UNAUTHENTICATED', 'API tokens belong to a user: sign in as one to create a token.', {
      step,
    });
  }
  return ctx.userId;
}

export function userHandlers(db: Database, auth: AuthService): Pick<Handlers, UserCalls> {
  /** The station must never lose its last enabled person who can manage users. */
  function keepAnAdministrator(userId: string, willManage: boolean, step: string): void {
    if (!willManage && otherActiveUserManagers(db, userId) === 0) {
      const row = getUserRow(db, userId, step);
      if (effectivePermissions(db, row).has('users.manage') && row.disabled === 0) {
        throw new StationError(
          'LAST_ADMINISTRATOR',
          `${row.username} is the last active user who can manage users; add another administrator first.`,
          { step },
        );
      }
    }
  }

  async function updateUser(input: CallParsedInput<'users.update'>, ctx: CallContext): Promise<User> {
    const step = 'update-user';
    const changes: UserChanges = {
      ...(input.displayName === undefined ? {} : { display_name: input.displayName }),
      ...(input.disabled === undefined ? {} : { disabled: input.disabled ? 1 : 0 }),
    };
    const passwordHash = await credentialChange(input.password, hashSecret);
    const pinHash = await credentialChange(input.pin, hashSecret);
    const badgeHash = await credentialChange(input.badge, digest);
    if (passwordHash !== undefined) changes.password_hash = passwordHash;
    if (pinHash !== undefined) changes.pin_hash = pinHash;
    if (badgeHash !== undefined) changes.badge_hash = badgeHash;
    const time = auth.now().toISOString();
    const updated = writeTransaction(db, () => {
      const row = getUserRow(db, input.id, step);
      if (row.kind === 'service' && (input.roleIds || input.password || input.pin || input.badge)) {
        throw new StationError('INVALID_INPUT', 'A service user has permissions, not roles or sign-in credentials.', {
          step,
        });
      }
      if (badgeHash) assertBadgeFree(db, badgeHash, row.id, step);
      for (const roleId of input.roleIds ?? []) getRole(db, roleId, step);
      const rolesAfter = input.roleIds ?? null;
      const willBeDisabled = input.disabled ?? row.disabled === 1;
      const willManage =
        !willBeDisabled &&
        (rolesAfter === null
          ? effectivePermissions(db, row).has('users.manage')
          : rolesAfter.some((id) => getRole(db, id, step).permissions.includes('users.manage')));
      keepAnAdministrator(row.id, willManage, step);
      updateUserRow(db, row.id, changes, time);
      if (rolesAfter) setRoles(db, row.id, rolesAfter);
      appendAudit(
        db,
        {
          actor: ctx.actor,
          action: 'user.updated',
          subject: row.username,
          // Which credentials changed, never their values or hashes.
          details: {
            ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
            ...(rolesAfter ? { roles: rolesAfter.map((id) => getRole(db, id, step).name) } : {}),
            ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
            credentials: Object.fromEntries(
              (['password', 'pin', 'badge'] as const)
                .filter((k) => input[k] !== undefined)
                .map((k) => [k, input[k] === null ? 'removed' : 'set']),
            ),
          },
        },
        time,
      );
      return toUser(db, getUserRow(db, row.id, step));
    });
    if (updated.disabled || input.password !== undefined || input.pin !== undefined || input.badge !== undefined) {
      // A disabled user, or one whose credentials changed, must prove themselves again.
      if (updated.id !== ctx.userId || updated.disabled) auth.endSessionsOf(updated.id);
    }
    return updated;
  }

  return {
    'auth.state': (_input, ctx) => auth.state(ctx),
    'auth.setupFirstAdmin': (input, ctx) => auth.setupFirstAdmin(input, ctx.actor),
    'auth.signIn': (input) => auth.signIn(input),
    'auth.signOut': (_input, ctx) => auth.signOut(ctx),
    'auth.lock': (_input, ctx) => auth.lock(ctx),
    'auth.unlock': (input, ctx) => auth.unlock(input, ctx),

    'roles.list': () => listRoles(db),
    'roles.create': (input, ctx) => createRole(db, input, ctx),
    'roles.delete': (input, ctx) => deleteRole(db, input.id, ctx),

    'users.list': () => listUsers(db),
    'users.create': async (input, ctx) => {
      const step = 'create-user';
      const [passwordHash, pinHash] = await Promise.all([hashOrNull(input.password), hashOrNull(input.pin)]);
      if (passwordHash === null && pinHash === null && input.badge === undefined) {
        throw new StationError('INVALID_INPUT', 'A person needs at least one of password, PIN and badge.', { step });
      }
      const time = auth.now().toISOString();
      return writeTransaction(db, () => {
        const row = insertUser(
          db,
          {
            username: input.username,
            displayName: input.displayName,
            kind: 'person',
            roleIds: input.roleIds,
            permissions: [],
            passwordHash,
            pinHash,
            badgeHash: input.badge === undefined ? null : digest(input.badge),
          },
          time,
          step,
        );
        appendAudit(
          db,
          {
            actor: ctx.actor,
            action: 'user.created',
            subject: row.username,
            details: {
              id: row.id,
              roles: input.roleIds.map((id) => getRole(db, id, step).name),
              credentials: (['password', 'pin', 'badge'] as const).filter((k) => input[k] !== undefined),
            },
          },
          time,
        );
        return toUser(db, row);
      });
    },
    'users.update': updateUser,
    'users.clearLockout': (input, ctx) => {
      const time = auth.now().toISOString();
      return writeTransaction(db, () => {
        const row = getUserRow(db, input.id, 'clear-lockout');
        updateUserRow(db, row.id, { failed_sign_ins: 0, locked_until: null }, time);
        appendAudit(
          db,
          { actor: ctx.actor, action: 'user.lockout-cleared', subject: row.username, details: { id: row.id } },
          time,
        );
        return toUser(db, getUserRow(db, row.id, 'clear-lockout'));
      });
    },
    'users.createService': (input, ctx) => {
      const time = auth.now().toISOString();
      return writeTransaction(db, () => {
        const row = insertUser(
          db,
          {
            username: input.name,
            displayName: input.displayName,
            kind: 'service',
            roleIds: [],
            permissions: input.permissions,
            passwordHash: null,
            pinHash: null,
            badgeHash: null,
          },
          time,
          'create-service-user',
        );
        appendAudit(
          db,
          {
            actor: ctx.actor,
            action: 'user.service-created',
            subject: row.username,
            details: { id: row.id, permissions: input.permissions },
          },
          time,
        );
        return toUser(db, row);
      });
    },

    'tokens.list': (_input, ctx) =>
      ctx.permissions.has('users.manage')
        ? listTokens(db)
        : listTokens(db, { userId: requireUser(ctx, 'list-tokens'), username: ctx.actor }),
    'tokens.create': (input, ctx) => {
      const step = 'create-token';
      const creatorId = requireUser(ctx, step);
      let ownerId = creatorId;
      if (input.serviceUserId !== undefined) {
        // Minting a service user's token is managing that user, beyond tokens.manage.
        assertAllowed(ctx, 'users.manage', 'tokens.create');
        const service = getUserRow(db, input.serviceUserId, step);
        if (service.kind !== 'service') {
          throw new StationError('INVALID_INPUT', `${service.username} is a person, not a service user.`, { step });
        }
        ownerId = service.id;
      }
      const time = auth.now();
      const expiresAt =
        input.expiresInDays === undefined
          ? null
          : new Date(time.getTime() + input.expiresInDays * 86_400_000).toISOString();
      return writeTransaction(db, () => {
        const owner = getUserRow(db, ownerId, step);
        const { id, secret } = insertToken(
          db,
          { userId: owner.id, name: input.name, createdBy: ctx.actor, expiresAt },
          time.toISOString(),
        );
        appendAudit(
          db,
          {
            actor: ctx.actor,
            action: 'token.created',
            subject: input.name,
            details: { id, for: owner.username, expiresAt },
          },
          time.toISOString(),
        );
        return { secret, token: toApiToken(getTokenRow(db, id, step)) };
      });
    },
    'tokens.revoke': (input, ctx) => {
      const step = 'revoke-token';
      const time = auth.now().toISOString();
      return writeTransaction(db, () => {
        const token = getTokenRow(db, input.id, step);
        const own = token.user_id === ctx.userId || token.created_by === ctx.actor;
        if (!own && !ctx.permissions.has('users.manage')) {
          throw new StationError('PERMISSION_DENIED', `${ctx.actor} may revoke only their own tokens.`, {
            step,
            params: { permission: 'users.manage', call: 'tokens.revoke' },
          });
        }
        markTokenRevoked(db, token.id, time);
        appendAudit(
          db,
          {
            actor: ctx.actor,
            action: 'token.revoked',
            subject: token.name,
            details: { id: token.id, for: token.username },
          },
          time,
        );
        return toApiToken(getTokenRow(db, token.id, step));
      });
    },
  };
}
