import type { Migration } from './migration';

/**
 * A batch job runs in one process (`serve`, the desktop app, or `trustline job run`) while others
 * open the same store (the CLI beside `serve`). The running process records its PID and touches
 * `heartbeat_at` every few seconds, so another process starting up tells a job that is running
 * elsewhere from one whose process died (a dead PID, or a heartbeat gone quiet); and
 * `cancel_requested_at` lets a cancel from another process reach it.
 */
export const jobLease: Migration = {
  version: 14,
  name: 'job-lease',
  up(db) {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN heartbeat_at TEXT;
      ALTER TABLE jobs ADD COLUMN runner_pid INTEGER;
      ALTER TABLE jobs ADD COLUMN cancel_requested_at TEXT;
      -- A heartbeat is the running process's business, not a change of the job: the central
      -- server hears of a job when what it records (its state and times) changes.
      DROP TRIGGER sync_job_updated;
      CREATE TRIGGER sync_job_updated AFTER UPDATE OF state, problem, started_at, finished_at ON jobs
      BEGIN
        INSERT INTO sync_outbox (kind, ref) SELECT 'job', NEW.id
        WHERE NOT EXISTS (
          SELECT 1 FROM sync_outbox WHERE kind = 'job' AND ref = NEW.id
            AND seq > (SELECT snapshot_through FROM sync_state WHERE id = 1)
        );
      END;
    `);
  },
};
