import type { Migration } from './migration';

export const deviceGroups: Migration = {
  version: 1,
  name: 'device-groups',
  up(db) {
    db.exec(`
      CREATE TABLE device_groups (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- Groups are archived, not erased: deleted devices keep pointing at their group.
        deleted_at TEXT
      ) STRICT;
      CREATE UNIQUE INDEX device_groups_live_name ON device_groups (name COLLATE NOCASE) WHERE deleted_at IS NULL;
    `);
  },
};
