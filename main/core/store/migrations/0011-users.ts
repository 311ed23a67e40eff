import type { Migration } from './migration';

/**
 * People and service users, roles made of permissions, and API tokens. Secrets are stored only
 * as hashes: passwords and PINs as scrypt, badges and token secrets as SHA-256 (they are looked
 * up by value, and a token secret carries 256 bits of its own entropy).
 */
export const users: Migration = {
  version: 11,
  name: 'users',
  up(db) {
    db.exec(`
      CREATE TABLE roles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        description TEXT NOT NULL,
        built_in INTEGER NOT NULL CHECK (built_in IN (0, 1)),
        -- A JSON array of permission names, validated on every read.
        permissions TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('person', 'service')),
        -- A service user's own permissions; a person's come from user_roles.
        permissions TEXT NOT NULL DEFAULT '[]',
        password_hash TEXT,
        pin_hash TEXT,
        badge_hash TEXT UNIQUE,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        failed_sign_ins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE user_roles (
        user_id TEXT NOT NULL REFERENCES users (id),
        role_id TEXT NOT NULL REFERENCES roles (id),
        PRIMARY KEY (user_id, role_id)
      ) STRICT;
      CREATE INDEX user_roles_by_role ON user_roles (role_id);

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      ) STRICT;
      CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

      CREATE INDEX audit_log_by_actor ON audit_log (actor);
    `);
  },
};
