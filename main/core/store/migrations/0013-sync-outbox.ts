import type { Migration } from './migration';

/**
 * The outbox the central server is fed from. Triggers add an entry in the same transaction as
 * every write to a record the station owns (devices and their attributes, certificates, jobs,
 * audit entries), so a record cannot be written without being queued, whatever code wrote it.
 * An entry names the record, not its contents: the sync worker reads the record as it is when
 * it pushes. So an entry is not added while one for the same record waits unread: the waiting
 * one will carry the newer state. `snapshot_through` is how far the worker has read into a push
 * still in flight — entries up to it carry older contents, so a change after it gets a new entry.
 * AUTOINCREMENT: sequences are the server's exactly-once key and must never be reused once
 * acknowledged entries are deleted.
 */
export const syncOutbox: Migration = {
  version: 13,
  name: 'sync-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE sync_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('device', 'certificate', 'job', 'audit')),
        ref TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sync_outbox_by_record ON sync_outbox (kind, ref, seq);

      CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        server_url TEXT,
        station_id TEXT,
        station_name TEXT,
        -- The station credential the server handed out at enrolment (a bearer secret, tls_…).
        credential TEXT,
        enrolled_at TEXT,
        pushed_through INTEGER NOT NULL DEFAULT 0,
        snapshot_through INTEGER NOT NULL DEFAULT 0,
        config_version INTEGER NOT NULL DEFAULT 0,
        -- What the last configuration pull could not take, as a JSON array of sentences.
        config_warnings TEXT NOT NULL DEFAULT '[]',
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_error_code TEXT,
        last_error_message TEXT
      ) STRICT;
      INSERT INTO sync_state (id) VALUES (1);
    `);
    const queue = (kind: string, ref: string) => `
        INSERT INTO sync_outbox (kind, ref) SELECT '${kind}', ${ref}
        WHERE NOT EXISTS (
          SELECT 1 FROM sync_outbox WHERE kind = '${kind}' AND ref = ${ref}
            AND seq > (SELECT snapshot_through FROM sync_state WHERE id = 1)
        );`;
    const deviceOfAttribute = (row: 'NEW' | 'OLD') => `(SELECT id FROM devices WHERE seq = ${row}.device_seq)`;
    db.exec(`
      CREATE TRIGGER sync_device_inserted AFTER INSERT ON devices BEGIN ${queue('device', 'NEW.id')} END;
      CREATE TRIGGER sync_device_updated AFTER UPDATE ON devices BEGIN ${queue('device', 'NEW.id')} END;
      CREATE TRIGGER sync_attribute_inserted AFTER INSERT ON device_attributes
        BEGIN ${queue('device', deviceOfAttribute('NEW'))} END;
      CREATE TRIGGER sync_attribute_updated AFTER UPDATE ON device_attributes
        BEGIN ${queue('device', deviceOfAttribute('NEW'))} END;
      CREATE TRIGGER sync_attribute_deleted AFTER DELETE ON device_attributes
        BEGIN ${queue('device', deviceOfAttribute('OLD'))} END;
      CREATE TRIGGER sync_certificate_inserted AFTER INSERT ON certificates BEGIN ${queue('certificate', 'NEW.id')} END;
      CREATE TRIGGER sync_certificate_updated AFTER UPDATE ON certificates BEGIN ${queue('certificate', 'NEW.id')} END;
      CREATE TRIGGER sync_job_inserted AFTER INSERT ON jobs BEGIN ${queue('job', 'NEW.id')} END;
      CREATE TRIGGER sync_job_updated AFTER UPDATE ON jobs BEGIN ${queue('job', 'NEW.id')} END;
      -- Audit entries are never updated: one entry each, no need to look for a waiting one.
      CREATE TRIGGER sync_audit_inserted AFTER INSERT ON audit_log
        BEGIN INSERT INTO sync_outbox (kind, ref) VALUES ('audit', CAST(NEW.seq AS TEXT)); END;
    `);
    // Records written before the outbox existed are queued once, oldest first per kind.
    db.exec(`
      INSERT INTO sync_outbox (kind, ref) SELECT 'device', id FROM devices ORDER BY seq;
      INSERT INTO sync_outbox (kind, ref) SELECT 'certificate', id FROM certificates ORDER BY seq;
      INSERT INTO sync_outbox (kind, ref) SELECT 'job', id FROM jobs ORDER BY seq;
      INSERT INTO sync_outbox (kind, ref) SELECT 'audit', CAST(seq AS TEXT) FROM audit_log ORDER BY seq;
    `);
  },
};
