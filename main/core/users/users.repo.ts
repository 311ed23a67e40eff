import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Permission, permissionSchema, type Role, type User } from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { StationError } from '../errors/station-error';
import { type MutationContext, timestamp } from '../inventory/mutation-context';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { builtInRoles } from './built-in-roles';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  kind: 'person' | 'service';
  permissions: string;
  password_hash: string | null;
  pin_hash: string | null;
  badge_hash: string | null;
  disabled: number;
  failed_sign_ins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

interface RoleRow {
  id: string;
  name: string;
  description: string;
  built_in: number;
  permissions: string;
  created_at: string;
  user_count: number;
}

const storedPermissions = z.array(z.string()).transform((names) =>
  // A permission a later version dropped is ignored rather than failing every sign-in.
  names.flatMap((name) => {
    const parsed = permissionSchema.safeParse(name);
    return parsed.success ? [parsed.data] : [];
  }),
);

function parsePermissions(text: string): Permission[] {
  return storedPermissions.parse(JSON.parse(text));
}

/** Writes the built-in roles as this version defines them; custom roles are left alone. */
export function syncBuiltInRoles(db: Database, now = new Date().toISOString()): void {
  writeTransaction(db, () => {
    for (const role of builtInRoles) {
      statement(
        db,
        `INSERT INTO roles (id, name, description, built_in, permissions, created_at)
         VALUES (@id, @name, @description, 1, @permissions, @now)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
           permissions = excluded.permissions
         WHERE roles.name <> excluded.name OR roles.description <> excluded.description
           OR roles.permissions <> excluded.permissions`,
      ).run({ ...role, permissions: JSON.stringify(role.permissions), now });
    }
  });
}

const roleSelect = `SELECT r.*, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) AS user_count FROM roles r`;

function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    builtIn: row.built_in === 1,
    permissions: parsePermissions(row.permissions),
    userCount: row.user_count,
  };
}

export function listRoles(db: Database): Role[] {
  return (statement(db, `${roleSelect} ORDER BY r.built_in DESC, r.name COLLATE NOCASE`).all() as RoleRow[]).map(
    toRole,
  );
}

export function getRole(db: Database, id: string, step: string): Role {
  const row = statement(db, `${roleSelect} WHERE r.id = ?`).get(id) as RoleRow | undefined;
  if (!row) throw new StationError('ROLE_NOT_FOUND', `No role with ID ${id} exists.`, { step, params: { id } });
  return toRole(row);
}

export function createRole(
  db: Database,
  input: { name: string; description: string; permissions: Permission[] },
  ctx: MutationContext,
): Role {
  const step = 'create-role';
  return writeTransaction(db, () => {
    if (statement(db, 'SELECT 1 FROM roles WHERE name = ? COLLATE NOCASE').get(input.name)) {
      throw new StationError('ROLE_NAME_TAKEN', `A role named "${input.name}" already exists.`, {
        step,
        params: { name: input.name },
      });
    }
    const id = randomUUID();
    const now = timestamp(ctx);
    statement(
      db,
      `INSERT INTO roles (id, name, description, built_in, permissions, created_at)
       VALUES (?, ?, ?, 0, ?, ?)`,
    ).run(id, input.name, input.description, JSON.stringify(input.permissions), now);
    appendAudit(
      db,
      {
        actor: ctx.actor,
        action: 'role.created',
        subject: input.name,
        details: { id, permissions: input.permissions },
      },
      now,
    );
    return getRole(db, id, step);
  });
}

export function deleteRole(db: Database, id: string, ctx: MutationContext): { id: string } {
  const step = 'delete-role';
  return writeTransaction(db, () => {
    const role = getRole(db, id, step);
    if (role.builtIn || role.userCount > 0) {
      throw new StationError(
        'ROLE_IN_USE',
        role.builtIn ? `"${role.name}" is a built-in role.` : `${role.userCount} user(s) still hold "${role.name}".`,
        { step, params: { name: role.name } },
      );
    }
    statement(db, 'DELETE FROM roles WHERE id = ?').run(id);
    appendAudit(db, { actor: ctx.actor, action: 'role.deleted', subject: role.name, details: { id } }, timestamp(ctx));
    return { id };
  });
}

export function userCount(db: Database): number {
  return (statement(db, 'SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
}

export function findUserRow(db: Database, username: string): UserRow | undefined {
  return statement(db, 'SELECT * FROM users WHERE username = ? COLLATE NOCASE').get(username) as UserRow | undefined;
}

export function findUserRowByBadge(db: Database, badgeHash: string): UserRow | undefined {
  return statement(db, 'SELECT * FROM users WHERE badge_hash = ?').get(badgeHash) as UserRow | undefined;
}

export function findUserRowById(db: Database, id: string): UserRow | undefined {
  return statement(db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

export function getUserRow(db: Database, id: string, step: string): UserRow {
  const row = findUserRowById(db, id);
  if (!row) throw new StationError('USER_NOT_FOUND', `No user with ID ${id} exists.`, { step, params: { id } });
  return row;
}

export function roleIdsOf(db: Database, userId: string): string[] {
  return (
    statement(db, 'SELECT role_id FROM user_roles WHERE user_id = ? ORDER BY role_id').all(userId) as {
      role_id: string;
    }[]
  ).map((r) => r.role_id);
}

export function roleNamesOf(db: Database, userId: string): string[] {
  return (
    statement(
      db,
      `SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id
       WHERE ur.user_id = ? ORDER BY r.name COLLATE NOCASE`,
    ).all(userId) as { name: string }[]
  ).map((r) => r.name);
}

/** What a user may do now: a service user's own list, or the union of a person's roles. */
export function effectivePermissions(db: Database, row: UserRow): Set<Permission> {
  if (row.kind === 'service') return new Set(parsePermissions(row.permissions));
  const result = new Set<Permission>();
  const roleRows = statement(
    db,
    'SELECT r.permissions FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ?',
  ).all(row.id) as { permissions: string }[];
  for (const role of roleRows) for (const permission of parsePermissions(role.permissions)) result.add(permission);
  return result;
}

export function toUser(db: Database, row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    kind: row.kind,
    roleIds: roleIdsOf(db, row.id),
    permissions: row.kind === 'service' ? parsePermissions(row.permissions) : [],
    hasPassword: row.password_hash !== null,
    hasPin: row.pin_hash !== null,
    hasBadge: row.badge_hash !== null,
    disabled: row.disabled === 1,
    failedSignIns: row.failed_sign_ins,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
  };
}

export function listUsers(db: Database): User[] {
  return (statement(db, 'SELECT * FROM users ORDER BY kind, username').all() as UserRow[]).map((row) =>
    toUser(db, row),
  );
}

/** Who can still manage users if `exceptUserId` lost that power: the station must keep at least one. */
export function otherActiveUserManagers(db: Database, exceptUserId: string): number {
  const rows = statement(db, "SELECT * FROM users WHERE disabled = 0 AND kind = 'person' AND id <> ?").all(
    exceptUserId,
  ) as UserRow[];
  return rows.filter((row) => effectivePermissions(db, row).has('users.manage')).length;
}

export interface NewUser {
  username: string;
  displayName: string;
  kind: 'person' | 'service';
  roleIds: string[];
  permissions: Permission[];
  passwordHash: string | null;
  pinHash: string | null;
  badgeHash: string | null;
}

/** Inserts a user; call inside a write transaction that also writes the audit entry. */
export function insertUser(db: Database, user: NewUser, now: string, step: string): UserRow {
  if (findUserRow(db, user.username)) {
    throw new StationError('USERNAME_TAKEN', `The username "${user.username}" is already taken.`, {
      step,
      params: { username: user.username },
    });
  }
  if (user.badgeHash !== null) assertBadgeFree(db, user.badgeHash, null, step);
  for (const roleId of user.roleIds) getRole(db, roleId, step);
  const id = randomUUID();
  statement(
    db,
    `INSERT INTO users (id, username, display_name, kind, permissions, password_hash, pin_hash, badge_hash,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    user.username,
    user.displayName,
    user.kind,
    JSON.stringify(user.permissions),
    user.passwordHash,
    user.pinHash,
    user.badgeHash,
    now,
    now,
  );
  setRoles(db, id, user.roleIds);
  return getUserRow(db, id, step);
}

export function assertBadgeFree(db: Database, badgeHash: string, ownerId: string | null, step: string): void {
  const holder = findUserRowByBadge(db, badgeHash);
  if (holder && holder.id !== ownerId) {
    throw new StationError('BADGE_TAKEN', 'This badge already belongs to another user.', { step });
  }
}

export function setRoles(db: Database, userId: string, roleIds: string[]): void {
  statement(db, 'DELETE FROM user_roles WHERE user_id = ?').run(userId);
  for (const roleId of roleIds) {
    statement(db, 'INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)').run(userId, roleId);
  }
}

export interface UserChanges {
  display_name?: string;
  password_hash?: string | null;
  pin_hash?: string | null;
  badge_hash?: string | null;
  disabled?: number;
  failed_sign_ins?: number;
  locked_until?: string | null;
}

const changeColumns = [
  'display_name',
  'password_hash',
  'pin_hash',
  'badge_hash',
  'disabled',
  'failed_sign_ins',
  'locked_until',
] as const;

export function updateUserRow(db: Database, id: string, changes: UserChanges, now: string): void {
  const set = changeColumns.filter((column) => changes[column] !== undefined);
  const assignments = [...set.map((column) => `${column} = @${column}`), 'updated_at = @now'].join(', ');
  statement(db, `UPDATE users SET ${assignments} WHERE id = @id`).run({ ...changes, id, now });
}
