import type { PoolClient } from 'pg';

/** Any fixed number, distinct from the migration lock. */
const configLock = 0x636f_6e66;

/**
 * The next global config version, for a row changed in this transaction. Config writers take a
 * transaction-scoped lock first, so versions commit in the order they are handed out: a station
 * that has seen version V can never later miss a change numbered below V that was still
 * uncommitted when it pulled.
 */
export async function nextConfigVersion(client: PoolClient): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [configLock]);
  const { rows } = await client.query<{ version: string }>(`SELECT nextval('config_version') AS version`);
  return Number(rows[0]?.version);
}
