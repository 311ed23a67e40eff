import type { Migration } from './migration';

export const devices: Migration = {
  version: 2,
  name: 'devices',
  up(db) {
    db.exec(`
      CREATE TABLE devices (
        -- seq orders pages (keyset paging) and keys the attribute rows compactly.
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        group_id TEXT NOT NULL REFERENCES device_groups (id),
        state TEXT NOT NULL DEFAULT 'Enrolled'
          CHECK (state IN ('Enrolled', 'Registered', 'Provisioned', 'Deleted')),
        status TEXT NOT NULL DEFAULT 'Enabled' CHECK (status IN ('Enabled', 'Disabled')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_seen_at TEXT
      ) STRICT;
      -- A name is unique within its group among devices that still exist.
      CREATE UNIQUE INDEX devices_live_name_in_group ON devices (group_id, name) WHERE state <> 'Deleted';
      CREATE INDEX devices_by_group ON devices (group_id, seq);
    `);
  },
};
