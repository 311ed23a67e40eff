import type { PoolClient } from 'pg';
import type { DeviceRecord } from '../../sync-protocol';
import { recordServerAudit } from '../audit/server-audit';
import { ownedElsewhere } from './upsert';

type PushedDevice = DeviceRecord & { seq: number };

interface ExistingDevice {
  id: string;
  station_id: string;
  description: string;
  attributes: Record<string, string>;
  server_edited_at: Date | null;
  server_edit: unknown;
}

const upsertDevices = `
  INSERT INTO devices (id, station_id, source_seq, name, description, group_id, attributes, state, status,
                       created_at, updated_at, last_seen_at)
  SELECT r.id, $1, r.seq, r.name, r.description, r."groupId", r.attributes, r.state, r.status,
         r."createdAt", r."updatedAt", r."lastSeenAt"
    FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, seq bigint, name text, description text, "groupId" uuid,
         attributes jsonb, state text, status text, "createdAt" text, "updatedAt" text, "lastSeenAt" text)
  ON CONFLICT (id) DO UPDATE SET
    source_seq = excluded.source_seq, name = excluded.name, description = excluded.description,
    group_id = excluded.group_id, attributes = excluded.attributes, state = excluded.state,
    status = excluded.status, created_at = excluded.created_at, updated_at = excluded.updated_at,
    last_seen_at = excluded.last_seen_at, received_at = now(), server_edited_at = NULL, server_edit = NULL
  WHERE devices.station_id = excluded.station_id`;

/**
 * Devices edited in both places: the station is authoritative for the devices it registered.
 * A PATCH on the server changes description/attributes and marks the row server_edited_at; the
 * station's next push of that device overwrites both fields with the station's values and
 * clears the mark, and the overwritten server values go to the server audit as
 * `device.server-edit-overwritten`, so no edit vanishes silently. A device the station never
 * pushes again keeps the server's edit.
 *
 * The existing rows are read FOR UPDATE in id order first: a PATCH racing this push waits for it
 * (and then becomes a new server edit) instead of being overwritten unaudited, and two pushes
 * touching the same devices lock them in the same order.
 */
export async function applyDevices(client: PoolClient, stationId: string, devices: PushedDevice[]): Promise<void> {
  if (devices.length === 0) return;
  const ids = devices.map((d) => d.id);
  const { rows: existing } = await client.query<ExistingDevice>(
    `SELECT id, station_id, description, attributes, server_edited_at, server_edit
       FROM devices WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  const foreign = existing.find((row) => row.station_id !== stationId);
  if (foreign) throw ownedElsewhere('device', foreign.id);

  const result = await client.query(upsertDevices, [stationId, JSON.stringify(devices)]);
  // A device another station inserted while this push ran is left alone by the conflict clause.
  if (result.rowCount !== devices.length) throw ownedElsewhere('device', undefined);

  const pushed = new Map(devices.map((d) => [d.id, d]));
  for (const row of existing) {
    if (row.server_edited_at === null) continue;
    const station = pushed.get(row.id);
    await recordServerAudit(client, {
      actor: `station:${stationId}`,
      action: 'device.server-edit-overwritten',
      subject: row.id,
      details: {
        serverEditedAt: row.server_edited_at.toISOString(),
        serverEdit: row.server_edit,
        overwritten: { description: row.description, attributes: row.attributes },
        stationValues: { description: station?.description, attributes: station?.attributes },
        seq: station?.seq,
      },
    });
  }
}
