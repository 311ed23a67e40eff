import type { Migration } from './migration';

/**
 * Batch jobs: one row per input line with its validated payload and its outcome. A certificate
 * issued for a row names the row (job_id, job_line), unique, and is committed together with the
 * row's outcome and its sealed key, so a job resumed after a crash never issues a row twice and
 * never loses a key it issued a certificate for.
 */
export const jobs: Migration = {
  version: 12,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('register-devices', 'certificates-managed', 'certificates-unmanaged')),
        -- Everything the run needs but the secrets (a PKCS#12 passcode is asked again on resume).
        options TEXT NOT NULL,
        input_name TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('validating', 'validated', 'rejected', 'running', 'interrupted', 'cancelled', 'completed')),
        -- Why the input was rejected as a whole, as JSON {code, message}.
        problem TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      ) STRICT;

      CREATE TABLE job_rows (
        job_id TEXT NOT NULL REFERENCES jobs (id),
        line INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'invalid', 'skipped', 'done', 'failed', 'cancelled')),
        -- The validated row (description, attributes, CSR or public key), as JSON.
        payload TEXT NOT NULL,
        device_id TEXT REFERENCES devices (id),
        certificate_id TEXT,
        -- The station-generated private key, sealed (CMS EnvelopedData or PKCS#12): never in clear.
        sealed_key BLOB,
        error_code TEXT,
        error_message TEXT,
        PRIMARY KEY (job_id, line)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX job_rows_by_status ON job_rows (job_id, status, line);

      ALTER TABLE certificates ADD COLUMN job_id TEXT;
      ALTER TABLE certificates ADD COLUMN job_line INTEGER;
      CREATE UNIQUE INDEX certificates_by_job_row ON certificates (job_id, job_line) WHERE job_id IS NOT NULL;
    `);
  },
};
