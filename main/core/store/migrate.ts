import type { Database } from 'better-sqlite3';
import { StationError } from '../errors/station-error';
import { migrations as allMigrations, type Migration } from './migrations';

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Brings the schema forward to `target` (default: the newest). All pending steps run in one
 * IMMEDIATE transaction, so a failure leaves the file exactly as it was. A file written by a newer
 * Trustline is refused rather than guessed at.
 */
export function migrate(
  db: Database,
  options: { target?: number; migrations?: readonly Migration[] } = {},
): MigrationReport {
  const migrations = options.migrations ?? allMigrations;
  const latest = migrations.length;
  const target = options.target ?? latest;
  // The version is read inside the write lock: two processes opening a fresh data folder at
  // once must not both decide to create the tables.
  const run = db.transaction((): MigrationReport => {
    const from = Number(db.pragma('user_version', { simple: true }));
    if (from > latest) {
      throw new StationError(
        'STORE_TOO_NEW',
        `The station database is at schema version ${from}, newer than this Trustline knows (${latest}). Update Trustline.`,
        { step: 'migrate', params: { found: from, known: latest } },
      );
    }
    const pending = migrations.filter((m) => m.version > from && m.version <= target);
    for (const migration of pending) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
    return { from, to: pending.at(-1)?.version ?? from, applied: pending.map((m) => `${m.version}-${m.name}`) };
  });
  try {
    return run.immediate();
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw new StationError('STORE_MIGRATION_FAILED', `Could not upgrade the station database: ${String(error)}`, {
      step: 'migrate',
      cause: error,
    });
  }
}
