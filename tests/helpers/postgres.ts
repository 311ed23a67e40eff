import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

export const adminUrl = process.env.TRUSTLINE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function onAdminDatabase<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one test file; drop() removes it even while connections are open. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `trustline_test_${randomBytes(6).toString('hex')}`;
  await onAdminDatabase((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      onAdminDatabase((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A pool for a test's own queries on a test database. drop() ends whatever connection is still
 * open (WITH FORCE): an idle client it ends must not surface as an uncaught error that fails the
 * whole test file after its tests passed.
 */
export function testPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
