import type { Database } from 'better-sqlite3';

/**
 * Runs a read-then-write change as one IMMEDIATE transaction: the write lock is taken up front,
 * so a second process writing the same file (the CLI beside `serve`) waits on busy_timeout
 * instead of failing halfway with SQLITE_BUSY after it has read.
 */
export function writeTransaction<T>(db: Database, change: () => T): T {
  return db.transaction(change).immediate();
}

/**
 * A write transaction whose commit does not wait for the disk (WAL with synchronous = NORMAL):
 * a killed process loses nothing, a power cut may lose the last such commits — never half of
 * one, and never anything a later FULL commit (a certificate's) has synced. For the line's step
 * records, whose loss the next start repeats or re-verifies; each FULL fsync on the main thread
 * would stall every port of the gang.
 */
export function relaxedWriteTransaction<T>(db: Database, change: () => T): T {
  // Inside a transaction the outer commit decides; the setting is the connection's.
  if (db.inTransaction) return writeTransaction(db, change);
  db.pragma('synchronous = NORMAL');
  try {
    return writeTransaction(db, change);
  } finally {
    db.pragma('synchronous = FULL');
  }
}
