import type { Pool, PoolClient } from 'pg';
import { actorOf, type Principal } from '../auth/principal';
import { recordServerAudit } from '../audit/server-audit';
import { withTransaction } from '../db/pool';

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

/** What a configuration change wrote, and the audit entry that says so (its version is added). */
export interface ConfigChange<T> {
  result: T;
  audit: { action: string; subject: string; details: Record<string, unknown> };
}

/**
 * One configuration change as stations will pull it: its own transaction, the next config version
 * for the rows it writes, and its audit entry under whoever made it, committed together.
 */
export function changeConfig<T>(
  pool: Pool,
  principal: Principal | null,
  change: (client: PoolClient, version: number) => Promise<ConfigChange<T>>,
): Promise<T> {
  return withTransaction(pool, async (client) => {
    const version = await nextConfigVersion(client);
    const { result, audit } = await change(client, version);
    await recordServerAudit(client, { actor: actorOf(principal), ...audit, details: { ...audit.details, version } });
    return result;
  });
}
