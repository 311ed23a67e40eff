/**
 * Takes the configuration the central server hands out. The server is authoritative for device
 * groups and policies: a group or policy it names is created or overwritten here under the
 * server's ID. What this station cannot take is skipped and reported, never half-applied: a
 * policy for a CA this station does not hold, a body this station's policy rules refuse, a name
 * a different local record already uses.
 */
import type { Database } from 'better-sqlite3';
import { policyBodySchema } from '../../../preload/contract';
import type { ConfigResponse } from '../../../sync-protocol';
import { appendAudit } from '../audit/audit-log.repo';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';

export interface ConfigApplied {
  deviceGroups: string[];
  policies: string[];
  warnings: string[];
}

/** How many IDs of each kind the audit entry lists; a first pull may bring thousands. */
const AUDIT_ID_LIMIT = 20;

/**
 * Applies what differs from what the station has; items already as the server has them are left
 * alone. An audit entry is written when something changed or the warnings did (`previousWarnings`),
 * so re-pulling what could not be taken does not fill the log.
 */
export function applyServerConfig(
  db: Database,
  config: ConfigResponse,
  time: string,
  previousWarnings: readonly string[] = [],
): ConfigApplied {
  return writeTransaction(db, () => {
    const applied: ConfigApplied = { deviceGroups: [], policies: [], warnings: [] };
    for (const group of config.deviceGroups) {
      const current = statement(
        db,
        'SELECT name, description, updated_at, deleted_at FROM device_groups WHERE id = ?',
      ).get(group.id) as
        { name: string; description: string; updated_at: string; deleted_at: string | null } | undefined;
      if (
        current &&
        current.name === group.name &&
        current.description === group.description &&
        current.updated_at === group.updatedAt &&
        current.deleted_at === group.deletedAt
      ) {
        continue;
      }
      const clash = statement(
        db,
        'SELECT id FROM device_groups WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL AND id <> ?',
      ).get(group.name, group.id) as { id: string } | undefined;
      if (clash && group.deletedAt === null) {
        applied.warnings.push(
          `Device group "${group.name}" from the server: a local group has that name; not applied.`,
        );
        continue;
      }
      statement(
        db,
        `INSERT INTO device_groups (id, name, description, created_at, updated_at, deleted_at)
         VALUES (@id, @name, @description, @time, @updatedAt, @deletedAt)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
           updated_at = excluded.updated_at, deleted_at = excluded.deleted_at`,
      ).run({ ...group, time });
      applied.deviceGroups.push(group.id);
    }
    for (const policy of config.policies) {
      const ca = statement(db, 'SELECT 1 FROM certificate_authorities WHERE id = ?').get(policy.issuingCaId);
      if (!ca) {
        applied.warnings.push(
          `Policy "${policy.name}" from the server: its CA ${policy.issuingCaId} is not on this station; not applied.`,
        );
        continue;
      }
      const body = policyBodySchema.safeParse({ ...policy.body, name: policy.name, issuingCaId: policy.issuingCaId });
      if (!body.success) {
        const first = body.error.issues[0];
        applied.warnings.push(
          `Policy "${policy.name}" from the server: ${first ? `${first.path.join('.')} ${first.message}` : 'invalid'}; not applied.`,
        );
        continue;
      }
      const current = statement(db, 'SELECT name, issuing_ca_id, body, updated_at FROM policies WHERE id = ?').get(
        policy.id,
      ) as { name: string; issuing_ca_id: string; body: string; updated_at: string } | undefined;
      if (
        current &&
        current.name === policy.name &&
        current.issuing_ca_id === policy.issuingCaId &&
        current.updated_at === policy.updatedAt &&
        current.body === JSON.stringify(body.data)
      ) {
        continue;
      }
      const clash = statement(db, 'SELECT id FROM policies WHERE name = ? COLLATE NOCASE AND id <> ?').get(
        policy.name,
        policy.id,
      );
      if (clash) {
        applied.warnings.push(`Policy "${policy.name}" from the server: a local policy has that name; not applied.`);
        continue;
      }
      statement(
        db,
        `INSERT INTO policies (id, name, issuing_ca_id, body, created_at, updated_at)
         VALUES (@id, @name, @issuingCaId, @body, @time, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, issuing_ca_id = excluded.issuing_ca_id,
           body = excluded.body, updated_at = excluded.updated_at`,
      ).run({
        id: policy.id,
        name: policy.name,
        issuingCaId: policy.issuingCaId,
        body: JSON.stringify(body.data),
        time,
        updatedAt: policy.updatedAt,
      });
      applied.policies.push(policy.id);
    }
    const warningsChanged = JSON.stringify(applied.warnings) !== JSON.stringify(previousWarnings);
    if (applied.deviceGroups.length + applied.policies.length > 0 || warningsChanged) {
      appendAudit(
        db,
        {
          actor: 'sync',
          action: 'sync.config-applied',
          subject: String(config.version),
          details: {
            deviceGroups: applied.deviceGroups.length,
            policies: applied.policies.length,
            deviceGroupIds: applied.deviceGroups.slice(0, AUDIT_ID_LIMIT),
            policyIds: applied.policies.slice(0, AUDIT_ID_LIMIT),
            warnings: applied.warnings.slice(0, AUDIT_ID_LIMIT),
          },
        },
        time,
      );
    }
    return applied;
  });
}
