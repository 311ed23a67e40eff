import type { Migration } from './migration';

/**
 * The line: recipes, runs (lots), one provisioning row per device attempt with the last durable
 * step it reached, and QA verdicts. Certificates point at the attempt that asked for them, so a
 * repeat after a crash can supersede the earlier one in the same transaction as it records the new.
 */
export const line: Migration = {
  version: 10,
  name: 'line',
  up(db) {
    db.exec(`
      CREATE TABLE recipes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        -- Everything else as validated JSON: the line reads a recipe whole, never by column.
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE line_runs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        lot TEXT NOT NULL,
        recipe_id TEXT NOT NULL REFERENCES recipes (id),
        -- The recipe as it was when the run started: a later edit does not rewrite history.
        recipe TEXT NOT NULL,
        started_at TEXT NOT NULL,
        stopped_at TEXT,
        started_by TEXT NOT NULL
      ) STRICT;

      CREATE TABLE provisionings (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL REFERENCES line_runs (id),
        port TEXT NOT NULL,
        serial_number TEXT NOT NULL,
        device_id TEXT REFERENCES devices (id),
        -- The last durable step: record, issued, written, verified, locked, pass; or fail.
        step TEXT NOT NULL,
        outcome TEXT NOT NULL DEFAULT 'in-progress' CHECK (outcome IN ('in-progress', 'pass', 'fail')),
        certificate_id TEXT REFERENCES certificates (id),
        failure_code TEXT,
        failure_step TEXT,
        failure_message TEXT,
        labels TEXT NOT NULL DEFAULT '{}',
        started_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX provisionings_by_serial ON provisionings (serial_number, seq);
      CREATE INDEX provisionings_by_run ON provisionings (run_id, seq);

      ALTER TABLE certificates ADD COLUMN provisioning_id TEXT REFERENCES provisionings (id);
      CREATE INDEX certificates_by_provisioning ON certificates (provisioning_id) WHERE provisioning_id IS NOT NULL;

      CREATE TABLE qa_verdicts (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        inspection_id TEXT NOT NULL,
        serial_number TEXT NOT NULL,
        provisioning_id TEXT REFERENCES provisionings (id),
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail')),
        technician TEXT NOT NULL,
        notes TEXT NOT NULL,
        checks TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
      ) STRICT;
      CREATE INDEX qa_verdicts_by_provisioning ON qa_verdicts (provisioning_id, seq);
    `);
  },
};
