import { permissions } from '../auth/permissions';
import { recordServerAudit } from '../audit/server-audit';
import { migrate } from '../db/migrate';
import { createPool, withTransaction } from '../db/pool';
import { insertUser, mintToken } from './store';

/**
 * The way in on a new server: a person holding every permission, with an API token to act as
 * them. Run from the command line by whoever runs the database, so it needs no token itself.
 */
export async function createAdministrator(
  databaseUrl: string,
  name: string,
): Promise<{ userId: string; token: string }> {
  const pool = createPool(databaseUrl);
  try {
    await migrate(pool);
    return await withTransaction(pool, async (client) => {
      const user = await insertUser(client, { name, kind: 'person', permissions, createdBy: 'bootstrap' });
      const token = await mintToken(client, {
        userId: user.id,
        name: 'administrator bootstrap',
        expiresAt: null,
        createdBy: 'bootstrap',
      });
      await recordServerAudit(client, {
        actor: 'bootstrap',
        action: 'user.administrator-created',
        subject: user.id,
        details: { name, tokenId: token.id },
      });
      return { userId: user.id, token: token.token };
    });
  } finally {
    await pool.end();
  }
}
