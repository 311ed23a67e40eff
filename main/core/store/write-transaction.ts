import type { Database } from 'better-sqlite3';

/**
 * Runs a read-then-write change as one IMMEDIATE transaction: the write lock is taken up front,
 * so a second process writing the same file (the CLI beside `serve`) waits on busy_timeout
 * instead of failing halfway with SQLITE_BUSY after it has read.
 */
export function writeTransaction<T>(db: Database, change: () => T): T {
  return db.transaction(change).immediate();
}
