import type { Pool } from 'pg';
import type { ConfigResponse } from '../../sync-protocol';
import { withTransaction } from '../db/pool';

interface GroupRow {
  id: string;
  name: string;
  description: string;
  updated_at: Date;
  deleted_at: Date | null;
}

interface PolicyRow {
  id: string;
  name: string;
  issuing_ca_id: string;
  body: Record<string, unknown>;
  updated_at: Date;
}

/**
 * Everything changed after `since`, read in one snapshot together with the version it
 * amounts to, so the version answered never runs ahead of the rows answered.
 */
export function pullConfig(pool: Pool, since: number): Promise<ConfigResponse> {
  return withTransaction(
    pool,
    async (client) => {
      const { rows: versionRows } = await client.query<{ version: string }>(
        `SELECT greatest((SELECT max(config_version) FROM device_groups), (SELECT max(config_version) FROM policies), 0)
           AS version`,
      );
      const groups = await client.query<GroupRow>(
        `SELECT id, name, description, updated_at, deleted_at FROM device_groups
          WHERE config_version > $1 ORDER BY config_version`,
        [since],
      );
      const policies = await client.query<PolicyRow>(
        `SELECT id, name, issuing_ca_id, body, updated_at FROM policies WHERE config_version > $1 ORDER BY config_version`,
        [since],
      );
      return {
        version: Number(versionRows[0]?.version ?? 0),
        deviceGroups: groups.rows.map((g) => ({
          id: g.id,
          name: g.name,
          description: g.description,
          updatedAt: g.updated_at.toISOString(),
          deletedAt: g.deleted_at === null ? null : g.deleted_at.toISOString(),
        })),
        policies: policies.rows.map((p) => ({
          id: p.id,
          name: p.name,
          issuingCaId: p.issuing_ca_id,
          body: p.body,
          updatedAt: p.updated_at.toISOString(),
        })),
      };
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}
