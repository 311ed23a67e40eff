import BetterSqlite3, { type Database } from 'better-sqlite3';
import { writeTransaction } from './write-transaction';

/** A failure of the database itself (busy, full, unreadable), as opposed to a refusal of one row (a constraint). */
function isDatabaseFailure(error: unknown): boolean {
  return error instanceof BetterSqlite3.SqliteError && !error.code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * Writes every item in one transaction, without a savepoint per item: a savepoint per item makes
 * SQLite copy each page the item touches into its statement journal, which cost the recorder a
 * quarter of its time. If an item is refused (a constraint, a StationError, a row no longer
 * pending), everything rolls back and is written again with a savepoint per item, so that only
 * the refused items fail; `onRefused` runs for each in that same transaction. Returns, per item,
 * null or why it was refused. A failure of the database itself is thrown: trying again item by
 * item would only wait out the busy timeout a second time, and if SQLite ends the transaction
 * on its own (a full disk) the later items must not commit by themselves.
 */
export function writeEachOrRefuseAlone<T>(
  db: Database,
  items: readonly T[],
  write: (item: T) => void,
  onRefused: (item: T, error: unknown) => void = () => undefined,
): (unknown | null)[] {
  try {
    writeTransaction(db, () => items.forEach(write));
    return items.map(() => null);
  } catch (error) {
    if (isDatabaseFailure(error)) throw error;
  }
  const outcomes: (unknown | null)[] = items.map(() => null);
  writeTransaction(db, () => {
    items.forEach((item, i) => {
      try {
        db.transaction(() => write(item))();
      } catch (error) {
        if (!db.inTransaction) throw error;
        outcomes[i] = error;
        onRefused(item, error);
      }
    });
  });
  return outcomes;
}
