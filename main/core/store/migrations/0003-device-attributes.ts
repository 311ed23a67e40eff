import type { Migration } from './migration';

export const deviceAttributes: Migration = {
  version: 3,
  name: 'device-attributes',
  up(db) {
    db.exec(`
      CREATE TABLE device_attributes (
        device_seq INTEGER NOT NULL REFERENCES devices (seq),
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (device_seq, key)
      ) STRICT, WITHOUT ROWID;
      -- Serves "mac=00:11:…" filters without scanning every device.
      CREATE INDEX device_attributes_by_value ON device_attributes (key, value, device_seq);
    `);
  },
};
