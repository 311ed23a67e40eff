import type { Pool } from 'pg';
import { withTransaction } from './pool';
import { migrations } from './migrations';

/** Any fixed number: every instance takes the same lock, so only one migrates at a time. */
const migrationLock = 0x7472_7573;

/**
 * Brings the schema up to date in one transaction. The advisory lock is taken before the
 * bookkeeping table is even created, so two instances starting at once neither race on CREATE
 * nor apply a step twice: the second waits, then finds everything applied.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    // The request timeouts are not for this: another instance may hold the lock while it migrates.
    await client.query('SET LOCAL lock_timeout = 0');
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(done.rows.map((r) => r.version));
    const ran: number[] = [];
    for (const step of migrations) {
      if (applied.has(step.version)) continue;
      await client.query(step.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      ran.push(step.version);
    }
    return ran;
  });
}
