import { ServerError } from '../errors';
import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';

/** What both a pool and a checked-out client offer: helpers take either, so they run inside or outside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The name the server's connections carry in pg_stat_activity. */
export const applicationName = 'trustline-server';

export interface PoolTimeouts {
  /** How long a statement waits for a lock (a station's row held by another push) before giving up. */
  lockTimeoutMs?: number;
  /** How long any one statement may run. */
  statementTimeoutMs?: number;
}

export const defaultTimeouts = { lockTimeoutMs: 10_000, statementTimeoutMs: 60_000 } as const;

export function createPool(databaseUrl: string, timeouts: PoolTimeouts = {}): Pool {
  // Without these, a push queued behind an abandoned one on the station's row lock would hold its
  // pool client forever; with them it fails as UNAVAILABLE and the station retries.
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5000,
    application_name: applicationName,
    lock_timeout: timeouts.lockTimeoutMs ?? defaultTimeouts.lockTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs ?? defaultTimeouts.statementTimeoutMs,
  });
  // An idle client losing its connection (database restarted or dropped) must not crash the process.
  pool.on('error', (error) => console.error(`trustline server: database connection lost: ${error.message}`));
  return pool;
}

export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  // A borrowed client has no listener of the pool's: a connection lost while it is out (database
  // restarted, backend terminated) would emit 'error' unheard and crash the process. The failure
  // itself reaches the caller through the query that was running or the next one.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
    console.error(`trustline server: database connection lost during a transaction: ${error.message}`);
  };
  client.on('error', onError);
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      // A client that cannot even roll back is broken: it must not go back to the pool.
      lost ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.off('error', onError);
    // Given an error, the pool discards the client instead of handing it to the next request.
    client.release(lost);
  }
}

/** The row a statement that always returns one (INSERT … RETURNING, an aggregate) returned. */
export function onlyRow<R>(rows: R[]): R {
  const row = rows[0];
  if (row === undefined) throw new ServerError('INTERNAL', 'a statement expected to return a row returned none');
  return row;
}
