import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  type Device,
  deviceIdInput,
  type DevicePage,
  type DeviceStatus,
  type LifecycleState,
  listDevicesInput,
  type ListDevicesInput,
  type ListDevicesQuery,
  registerDeviceInput,
  type RegisterDeviceInput,
  setDeviceStatusInput,
  type SetDeviceStatusInput,
} from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { parseInput } from '../errors/parse-input';
import { StationError } from '../errors/station-error';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { requireLiveGroupName } from './device-groups.repo';
import { type MutationContext, timestamp } from './mutation-context';

interface DeviceRow {
  seq: number;
  id: string;
  name: string;
  description: string;
  group_id: string;
  group_name: string;
  state: LifecycleState;
  status: DeviceStatus;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
}

const deviceColumns = `d.seq, d.id, d.name, d.description, d.group_id, g.name AS group_name, d.state, d.status,
  d.created_at, d.updated_at, d.last_seen_at`;

function attributesOf(db: Database, seqs: number[]): Map<number, Record<string, string>> {
  const bySeq = new Map<number, Record<string, string>>(seqs.map((seq) => [seq, {}]));
  if (seqs.length === 0) return bySeq;
  // json_each keeps one cached statement whatever the page size.
  const rows = statement(
    db,
    'SELECT device_seq, key, value FROM device_attributes WHERE device_seq IN (SELECT value FROM json_each(?)) ORDER BY key',
  ).all(JSON.stringify(seqs)) as { device_seq: number; key: string; value: string }[];
  for (const row of rows) {
    const attrs = bySeq.get(row.device_seq);
    if (attrs) attrs[row.key] = row.value;
  }
  return bySeq;
}

function toDevices(db: Database, rows: DeviceRow[]): Device[] {
  const attributes = attributesOf(
    db,
    rows.map((row) => row.seq),
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    groupId: row.group_id,
    groupName: row.group_name,
    attributes: attributes.get(row.seq) ?? {},
    state: row.state,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSeenAt: row.last_seen_at,
  }));
}

export function findDevice(db: Database, id: string): Device | undefined {
  const row = statement(
    db,
    `SELECT ${deviceColumns} FROM devices d JOIN device_groups g ON g.id = d.group_id WHERE d.id = ?`,
  ).get(id) as DeviceRow | undefined;
  return row ? toDevices(db, [row])[0] : undefined;
}

export function getDevice(db: Database, raw: { id: string }, step = 'get-device'): Device {
  const { id } = parseInput(deviceIdInput, raw, step);
  const device = findDevice(db, id);
  if (!device) throw new StationError('DEVICE_NOT_FOUND', `No device with ID ${id} exists.`, { step, params: { id } });
  return device;
}

export type ParsedRegistration = ReturnType<typeof registerDeviceInput.parse>;

export function insertDevice(
  db: Database,
  input: ParsedRegistration,
  ctx: MutationContext,
  time: string,
  step: string,
) {
  const groupName = requireLiveGroupName(db, input.groupId, step);
  const clash = statement(db, "SELECT 1 FROM devices WHERE group_id = ? AND name = ? AND state <> 'Deleted'").get(
    input.groupId,
    input.name,
  );
  if (clash) {
    throw new StationError(
      'DEVICE_NAME_TAKEN',
      `A device named "${input.name}" already exists in the group "${groupName}".`,
      { step, params: { name: input.name, group: groupName } },
    );
  }
  const id = randomUUID();
  const { lastInsertRowid } = statement(
    db,
    'INSERT INTO devices (id, name, description, group_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(id, input.name, input.description, input.groupId, time, time);
  const insertAttribute = statement(db, 'INSERT INTO device_attributes (device_seq, key, value) VALUES (?, ?, ?)');
  for (const [key, value] of Object.entries(input.attributes)) insertAttribute.run(lastInsertRowid, key, value);
  appendAudit(
    db,
    {
      actor: ctx.actor,
      action: 'device.register',
      subject: id,
      details: { name: input.name, groupId: input.groupId, attributes: input.attributes },
    },
    time,
  );
  return id;
}

export function registerDevice(db: Database, raw: RegisterDeviceInput, ctx: MutationContext): Device {
  const step = 'register-device';
  const input = parseInput(registerDeviceInput, raw, step);
  const time = timestamp(ctx);
  const id = writeTransaction(db, () => insertDevice(db, input, ctx, time, step));
  return getDevice(db, { id }, step);
}

/**
 * Registers many devices in one transaction: all of them or none. An error names the row
 * (0-based) it came from, so a CSV import can point at the line.
 */
export function registerDevices(db: Database, raws: readonly RegisterDeviceInput[], ctx: MutationContext): string[] {
  const inputs = raws.map((raw, row) => {
    try {
      return parseInput(registerDeviceInput, raw, 'register-devices');
    } catch (error) {
      throw withRow(error, row);
    }
  });
  const time = timestamp(ctx);
  return writeTransaction(db, () =>
    inputs.map((input, row) => {
      try {
        return insertDevice(db, input, ctx, time, 'register-devices');
      } catch (error) {
        throw withRow(error, row);
      }
    }),
  );
}

function withRow(error: unknown, row: number): unknown {
  if (!(error instanceof StationError)) return error;
  return new StationError(error.code, `Row ${row + 1}: ${error.message}`, {
    step: error.step ?? 'register-devices',
    params: { ...error.params, row: row + 1 },
    ...(error.issues ? { issues: error.issues } : {}),
  });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * One page, newest first, with keyset paging on `seq` so page N costs what page 1 costs. The
 * total is counted for the first page only.
 * Deleted devices are hidden unless the state filter asks for them.
 */
export function listDevices(db: Database, raw: ListDevicesInput): DevicePage {
  const query: ListDevicesQuery = parseInput(listDevicesInput, raw, 'list-devices');
  const where: string[] = [];
  const params: (string | number)[] = [];
  const search = query.search || undefined;
  const searchKind = !search ? 'none' : uuidPattern.test(search) ? 'id' : [...search].length >= 3 ? 'index' : 'scan';
  // One index drives the query in seq order so LIMIT stops early: the attribute index, else the
  // trigram search index, else the table itself. CROSS JOIN pins that loop order, whatever
  // ANALYZE statistics would make SQLite prefer (a plan that sorts every match).
  const driver = query.attribute ? 'attribute' : searchKind === 'index' ? 'search' : 'table';
  const from = {
    attribute: 'device_attributes a CROSS JOIN devices d ON d.seq = a.device_seq',
    search: 'device_search CROSS JOIN devices d ON d.seq = device_search.rowid',
    table: 'devices d',
  }[driver];
  const seqColumn = { attribute: 'a.device_seq', search: 'device_search.rowid', table: 'd.seq' }[driver];
  if (query.attribute) {
    where.push('a.key = ? AND a.value = ?');
    params.push(query.attribute.key, query.attribute.value);
  }
  if (query.state) {
    where.push('d.state = ?');
    params.push(query.state);
  } else {
    where.push("d.state <> 'Deleted'");
  }
  if (query.groupId) {
    where.push('d.group_id = ?');
    params.push(query.groupId);
  }
  if (query.status) {
    where.push('d.status = ?');
    params.push(query.status);
  }
  if (search && searchKind === 'id') {
    where.push('d.id = ?');
    params.push(search);
  } else if (search && searchKind === 'index') {
    const phrase = `"${search.replace(/"/g, '""')}"`;
    where.push(
      driver === 'search'
        ? 'device_search MATCH ?'
        : 'd.seq IN (SELECT rowid FROM device_search WHERE device_search MATCH ?)',
    );
    params.push(phrase);
  } else if (search) {
    // Fewer than three characters cannot use the trigram index.
    const pattern = `%${escapeLike(search)}%`;
    where.push("(d.name LIKE ? ESCAPE '\\' OR d.description LIKE ? ESCAPE '\\')");
    params.push(pattern, pattern);
  }
  const filter = where.join(' AND ');
  const total = query.cursor
    ? null
    : (statement(db, `SELECT count(*) AS n FROM ${from} WHERE ${filter}`).get(...params) as { n: number }).n;
  const pageFilter = query.cursor ? `${filter} AND ${seqColumn} < ?` : filter;
  const pageParams = query.cursor ? [...params, Number(query.cursor)] : params;
  const rows = statement(
    db,
    `SELECT ${deviceColumns} FROM ${from} CROSS JOIN device_groups g ON g.id = d.group_id
     WHERE ${pageFilter} ORDER BY ${seqColumn} DESC LIMIT ?`,
  ).all(...pageParams, query.limit + 1) as DeviceRow[];
  const hasMore = rows.length > query.limit;
  const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: toDevices(db, pageRows),
    total,
    nextCursor: hasMore && last ? String(last.seq) : null,
  };
}

function changeDevice(
  db: Database,
  id: string,
  ctx: MutationContext,
  step: string,
  change: (device: Device, time: string) => void,
): Device {
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    const device = getDevice(db, { id }, step);
    if (device.state === 'Deleted') {
      throw new StationError('DEVICE_DELETED', `The device "${device.name}" is deleted and cannot be changed.`, {
        step,
        params: { name: device.name },
      });
    }
    change(device, time);
  });
  return getDevice(db, { id }, step);
}

export function setDeviceStatus(db: Database, raw: SetDeviceStatusInput, ctx: MutationContext): Device {
  const step = 'set-device-status';
  const input = parseInput(setDeviceStatusInput, raw, step);
  return changeDevice(db, input.id, ctx, step, (device, time) => {
    if (device.status === input.status) return;
    statement(db, 'UPDATE devices SET status = ?, updated_at = ? WHERE id = ?').run(input.status, time, input.id);
    appendAudit(
      db,
      {
        actor: ctx.actor,
        action: input.status === 'Enabled' ? 'device.enable' : 'device.disable',
        subject: input.id,
        details: { name: device.name, from: device.status, to: input.status },
      },
      time,
    );
  });
}

/** Marks the device Deleted. The row stays: certificates and audit entries keep pointing at it. */
export function deleteDevice(db: Database, raw: { id: string }, ctx: MutationContext): Device {
  const step = 'delete-device';
  const input = parseInput(deviceIdInput, raw, step);
  return changeDevice(db, input.id, ctx, step, (device, time) => {
    statement(db, "UPDATE devices SET state = 'Deleted', updated_at = ? WHERE id = ?").run(time, input.id);
    appendAudit(
      db,
      {
        actor: ctx.actor,
        action: 'device.delete',
        subject: input.id,
        details: { name: device.name, previousState: device.state },
      },
      time,
    );
  });
}
