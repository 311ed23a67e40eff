import { z } from 'zod';
import { apiBase, deviceRecordSchema } from '../../sync-protocol';
import { actorOf } from '../auth/principal';
import { recordServerAudit } from '../audit/server-audit';
import { withTransaction, type Queryable } from '../db/pool';
import { ServerError } from '../errors';
import { containing, Filters } from './filters';
import { defineRoute, iso, pageSchema, pagingQuery, toPage, uuidParam } from './route';

const deviceSchema = deviceRecordSchema.extend({
  stationId: z.string().uuid(),
  receivedAt: z.string(),
  /** Set while a server edit has not yet been overwritten by the station's next push of the device. */
  serverEditedAt: z.string().nullable(),
});
type Device = z.infer<typeof deviceSchema>;

interface DeviceRow {
  id: string;
  station_id: string;
  name: string;
  description: string;
  group_id: string;
  attributes: Record<string, string>;
  state: Device['state'];
  status: Device['status'];
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
  received_at: Date;
  server_edited_at: Date | null;
}

const columns = `id, station_id, name, description, group_id, attributes, state, status, created_at, updated_at,
  last_seen_at, received_at, server_edited_at`;

const toDevice = (row: DeviceRow): Device => ({
  id: row.id,
  name: row.name,
  description: row.description,
  groupId: row.group_id,
  attributes: row.attributes,
  state: row.state,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastSeenAt: row.last_seen_at,
  stationId: row.station_id,
  receivedAt: row.received_at.toISOString(),
  serverEditedAt: iso(row.server_edited_at),
});

async function deviceById(db: Queryable, id: string, lock = ''): Promise<DeviceRow> {
  const { rows } = await db.query<DeviceRow>(`SELECT ${columns} FROM devices WHERE id = $1 ${lock}`, [id]);
  const row = rows[0];
  if (!row) throw new ServerError('NOT_FOUND', 'No such device.');
  return row;
}

export const deviceRoutes = [
  defineRoute({
    method: 'GET',
    path: `${apiBase}/devices`,
    access: 'records.view',
    summary: 'List devices, filtered, in pages ordered by ID (pass `next` as `after`).',
    query: z.object({
      ...pagingQuery,
      after: z.string().uuid().optional(),
      stationId: z.string().uuid().optional(),
      groupId: z.string().uuid().optional(),
      name: z.string().max(256).optional(),
      state: deviceRecordSchema.shape.state.optional(),
    }),
    response: pageSchema(deviceSchema),
    handle: async ({ db, query }) => {
      const filters = new Filters()
        .add('id > ?', query.after)
        .add('station_id = ?', query.stationId)
        .add('group_id = ?', query.groupId)
        .add('name ILIKE ?', containing(query.name))
        .add('state = ?', query.state);
      const { rows } = await db.query<DeviceRow>(
        `SELECT ${columns} FROM devices ${filters.where} ORDER BY id LIMIT ${filters.param(query.limit + 1)}`,
        filters.values,
      );
      return toPage(rows, query.limit, toDevice, (row) => row.id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: `${apiBase}/devices/{id}`,
    access: 'records.view',
    summary: 'One device.',
    response: deviceSchema,
    handle: async ({ db, params }) => toDevice(await deviceById(db, uuidParam(params))),
  }),
  defineRoute({
    method: 'PATCH',
    path: `${apiBase}/devices/{id}`,
    access: 'devices.manage',
    summary:
      "Edit a device's description or attributes on the server. The station stays authoritative: its next push of the device overwrites the edit (and the server audit keeps what was overwritten).",
    body: z
      .strictObject({
        description: deviceRecordSchema.shape.description.optional(),
        attributes: deviceRecordSchema.shape.attributes.optional(),
      })
      .refine((b) => b.description !== undefined || b.attributes !== undefined, 'Give description or attributes.'),
    response: deviceSchema,
    handle: ({ db, params, body, principal }) =>
      withTransaction(db, async (client) => {
        const id = uuidParam(params);
        const before = await deviceById(client, id, 'FOR UPDATE');
        const edit = { ...body, by: actorOf(principal) };
        await client.query(
          `UPDATE devices SET description = coalesce($2, description), attributes = coalesce($3::jsonb, attributes),
                  server_edited_at = now(), server_edit = $4::jsonb
            WHERE id = $1`,
          [
            id,
            body.description ?? null,
            body.attributes === undefined ? null : JSON.stringify(body.attributes),
            JSON.stringify(edit),
          ],
        );
        await recordServerAudit(client, {
          actor: actorOf(principal),
          action: 'device.edited',
          subject: id,
          details: { before: { description: before.description, attributes: before.attributes }, edit: body },
        });
        return toDevice(await deviceById(client, id));
      }),
  }),
];
