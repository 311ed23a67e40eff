import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { migrate } from './migrate';

export const databaseFileName = 'station.sqlite';

/**
 * Opens (creating if needed) the station database in `dataDir` and migrates it. This process
 * is its only owner: everything else goes through the typed functions in inventory/ and audit/.
 */
export function openStationDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabaseFile(path.join(dataDir, databaseFileName));
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Opens a SQLite file with the pragmas every station connection needs, without migrating. */
export function openDatabaseFile(file: string): Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // FULL: an acknowledged change (and later, an issued certificate) must survive power loss.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  return db;
}
