import type { Migration } from './migration';

/**
 * A trigram index over device names and descriptions, so "contains" searches stay fast at
 * 100,000 devices instead of scanning every row. Kept in step with `devices` by triggers.
 */
export const deviceSearch: Migration = {
  version: 5,
  name: 'device-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE device_search USING fts5 (
        name, description,
        content = 'devices', content_rowid = 'seq',
        tokenize = 'trigram case_sensitive 0'
      );
      CREATE TRIGGER device_search_insert AFTER INSERT ON devices BEGIN
        INSERT INTO device_search (rowid, name, description) VALUES (new.seq, new.name, new.description);
      END;
      CREATE TRIGGER device_search_update AFTER UPDATE OF name, description ON devices BEGIN
        INSERT INTO device_search (device_search, rowid, name, description)
          VALUES ('delete', old.seq, old.name, old.description);
        INSERT INTO device_search (rowid, name, description) VALUES (new.seq, new.name, new.description);
      END;
      CREATE TRIGGER device_search_delete AFTER DELETE ON devices BEGIN
        INSERT INTO device_search (device_search, rowid, name, description)
          VALUES ('delete', old.seq, old.name, old.description);
      END;
      INSERT INTO device_search (device_search) VALUES ('rebuild');
    `);
  },
};
