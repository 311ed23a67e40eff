import type { Migration } from './migration';

export const policies: Migration = {
  version: 8,
  name: 'policies',
  up(db) {
    db.exec(`
      CREATE TABLE policies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        issuing_ca_id TEXT NOT NULL REFERENCES certificate_authorities (id),
        -- The whole policy body as validated JSON: policies are data the engine consumes.
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
