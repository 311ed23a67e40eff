import type { Migration } from './migration';

export const certificates: Migration = {
  version: 9,
  name: 'certificates',
  up(db) {
    db.exec(`
      CREATE TABLE certificates (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        -- Unique over every certificate this station ever issued, whichever CA signed it.
        serial TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        not_before TEXT NOT NULL,
        not_after TEXT NOT NULL,
        der BLOB NOT NULL,
        status TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'revoked', 'superseded')),
        policy_id TEXT NOT NULL REFERENCES policies (id),
        ca_id TEXT NOT NULL REFERENCES certificate_authorities (id),
        device_id TEXT REFERENCES devices (id),
        key_type TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        issued_by TEXT NOT NULL
      ) STRICT;
      CREATE INDEX certificates_by_device ON certificates (device_id, seq) WHERE device_id IS NOT NULL;
    `);
  },
};
