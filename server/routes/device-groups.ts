import { z } from 'zod';
import { apiBase, deviceGroupConfigSchema } from '../../sync-protocol';
import { changeConfig } from '../config/version';
import { onlyRow, type Queryable } from '../db/pool';
import { ServerError } from '../errors';
import { defineRoute, iso, uuidParam } from './route';

const groupSchema = deviceGroupConfigSchema.extend({ version: z.number().int().positive() });
type Group = z.infer<typeof groupSchema>;

interface GroupRow {
  id: string;
  name: string;
  description: string;
  updated_at: Date;
  deleted_at: Date | null;
  config_version: string;
}

const columns = 'id, name, description, updated_at, deleted_at, config_version';

const toGroup = (row: GroupRow): Group => ({
  id: row.id,
  name: row.name,
  description: row.description,
  updatedAt: row.updated_at.toISOString(),
  deletedAt: iso(row.deleted_at),
  version: Number(row.config_version),
});

async function liveGroup(db: Queryable, id: string): Promise<GroupRow> {
  const { rows } = await db.query<GroupRow>(
    `SELECT ${columns} FROM device_groups WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new ServerError('NOT_FOUND', 'No such device group (or it is archived).');
  return row;
}

const name = deviceGroupConfigSchema.shape.name;
const description = deviceGroupConfigSchema.shape.description;

export const deviceGroupRoutes = [
  defineRoute({
    method: 'GET',
    path: `${apiBase}/device-groups`,
    access: 'records.view',
    summary: 'List device groups (archived ones too with includeArchived=true).',
    query: z.object({ includeArchived: z.enum(['true', 'false']).default('false') }),
    response: z.strictObject({ items: z.array(groupSchema) }),
    handle: async ({ db, query }) => {
      const { rows } = await db.query<GroupRow>(
        `SELECT ${columns} FROM device_groups ${query.includeArchived === 'true' ? '' : 'WHERE deleted_at IS NULL'}
          ORDER BY lower(name), id`,
      );
      return { items: rows.map(toGroup) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: `${apiBase}/device-groups`,
    access: 'config.manage',
    summary: 'Create a device group; stations receive it with their next config pull.',
    body: z.strictObject({ name, description: description.default('') }),
    response: groupSchema,
    status: 201,
    handle: ({ db, body, principal }) =>
      changeConfig(db, principal, async (client, version) => {
        const { rows } = await client.query<GroupRow>(
          `INSERT INTO device_groups (name, description, config_version) VALUES ($1, $2, $3) RETURNING ${columns}`,
          [body.name, body.description, version],
        );
        const group = toGroup(onlyRow(rows));
        return {
          result: group,
          audit: { action: 'config.group-created', subject: group.id, details: { name: group.name } },
        };
      }),
  }),
  defineRoute({
    method: 'PATCH',
    path: `${apiBase}/device-groups/{id}`,
    access: 'config.manage',
    summary: 'Rename a device group or change its description.',
    body: z.strictObject({ name: name.optional(), description: description.optional() }),
    response: groupSchema,
    handle: ({ db, params, body, principal }) =>
      changeConfig(db, principal, async (client, version) => {
        const id = uuidParam(params);
        const before = await liveGroup(client, id);
        const { rows } = await client.query<GroupRow>(
          `UPDATE device_groups SET name = coalesce($2, name), description = coalesce($3, description),
                  updated_at = now(), config_version = $4
            WHERE id = $1 RETURNING ${columns}`,
          [id, body.name ?? null, body.description ?? null, version],
        );
        return {
          result: toGroup(onlyRow(rows)),
          audit: {
            action: 'config.group-changed',
            subject: id,
            details: { before: { name: before.name, description: before.description }, change: body },
          },
        };
      }),
  }),
  defineRoute({
    method: 'DELETE',
    path: `${apiBase}/device-groups/{id}`,
    access: 'config.manage',
    summary: 'Archive a device group: it stays, marked deleted, so stations learn of the deletion.',
    response: groupSchema,
    handle: ({ db, params, principal }) =>
      changeConfig(db, principal, async (client, version) => {
        const id = uuidParam(params);
        await liveGroup(client, id);
        const { rows } = await client.query<GroupRow>(
          `UPDATE device_groups SET deleted_at = now(), updated_at = now(), config_version = $2
            WHERE id = $1 RETURNING ${columns}`,
          [id, version],
        );
        return { result: toGroup(onlyRow(rows)), audit: { action: 'config.group-archived', subject: id, details: {} } };
      }),
  }),
];
