import { ServerError } from '../errors';
import { Pool, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';

/** What both a pool and a checked-out client offer: helpers take either, so they run inside or outside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export function createPool(databaseUrl: string): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
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
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The row a statement that always returns one (INSERT … RETURNING, an aggregate) returned. */
export function onlyRow<R>(rows: R[]): R {
  const row = rows[0];
  if (row === undefined) throw new ServerError('INTERNAL', 'a statement expected to return a row returned none');
  return row;
}
