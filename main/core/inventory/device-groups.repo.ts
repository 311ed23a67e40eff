import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  createDeviceGroupInput,
  type CreateDeviceGroupInput,
  type DeviceGroup,
  deviceGroupIdInput,
  renameDeviceGroupInput,
  type RenameDeviceGroupInput,
} from '../../../preload/contract';
import { appendAudit } from '../audit/audit-log.repo';
import { parseInput } from '../errors/parse-input';
import { StationError } from '../errors/station-error';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { type MutationContext, timestamp } from './mutation-context';

interface GroupRow {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  device_count: number;
}

const selectGroups = `
  SELECT g.id, g.name, g.description, g.created_at, g.updated_at,
    (SELECT count(*) FROM devices d WHERE d.group_id = g.id AND d.state <> 'Deleted') AS device_count
  FROM device_groups g
  WHERE g.deleted_at IS NULL`;

const toGroup = (row: GroupRow): DeviceGroup => ({
  id: row.id,
  name: row.name,
  description: row.description,
  deviceCount: row.device_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function listDeviceGroups(db: Database): DeviceGroup[] {
  return (statement(db, `${selectGroups} ORDER BY g.name COLLATE NOCASE`).all() as GroupRow[]).map(toGroup);
}

export function findDeviceGroup(db: Database, id: string): DeviceGroup | undefined {
  const row = statement(db, `${selectGroups} AND g.id = ?`).get(id) as GroupRow | undefined;
  return row ? toGroup(row) : undefined;
}

export function getDeviceGroup(db: Database, id: string, step: string): DeviceGroup {
  const group = findDeviceGroup(db, id);
  if (!group) {
    throw new StationError('GROUP_NOT_FOUND', `No device group with ID ${id} exists.`, { step, params: { id } });
  }
  return group;
}

/**
 * The group's name if it exists and is not deleted. Cheaper than getDeviceGroup (no device
 * count), so registering many devices stays linear.
 */
export function requireLiveGroupName(db: Database, id: string, step: string): string {
  const row = statement(db, 'SELECT name FROM device_groups WHERE id = ? AND deleted_at IS NULL').get(id) as
    { name: string } | undefined;
  if (!row) {
    throw new StationError('GROUP_NOT_FOUND', `No device group with ID ${id} exists.`, { step, params: { id } });
  }
  return row.name;
}

function assertNameFree(db: Database, name: string, exceptId: string | null, step: string): void {
  const clash = statement(
    db,
    'SELECT id FROM device_groups WHERE deleted_at IS NULL AND name = ? COLLATE NOCASE AND id IS NOT ?',
  ).get(name, exceptId);
  if (clash) {
    throw new StationError('GROUP_NAME_TAKEN', `A device group named "${name}" already exists.`, {
      step,
      params: { name },
    });
  }
}

export function createDeviceGroup(db: Database, raw: CreateDeviceGroupInput, ctx: MutationContext): DeviceGroup {
  const step = 'create-device-group';
  const input = parseInput(createDeviceGroupInput, raw, step);
  const id = randomUUID();
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    assertNameFree(db, input.name, null, step);
    statement(
      db,
      'INSERT INTO device_groups (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    ).run(id, input.name, input.description, time, time);
    appendAudit(
      db,
      { actor: ctx.actor, action: 'deviceGroup.create', subject: id, details: { name: input.name } },
      time,
    );
  });
  return getDeviceGroup(db, id, step);
}

export function renameDeviceGroup(db: Database, raw: RenameDeviceGroupInput, ctx: MutationContext): DeviceGroup {
  const step = 'rename-device-group';
  const input = parseInput(renameDeviceGroupInput, raw, step);
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    const before = getDeviceGroup(db, input.id, step);
    if (before.name === input.name) return;
    assertNameFree(db, input.name, input.id, step);
    statement(db, 'UPDATE device_groups SET name = ?, updated_at = ? WHERE id = ?').run(input.name, time, input.id);
    appendAudit(
      db,
      {
        actor: ctx.actor,
        action: 'deviceGroup.rename',
        subject: input.id,
        details: { from: before.name, to: input.name },
      },
      time,
    );
  });
  return getDeviceGroup(db, input.id, step);
}

/**
 * Refused while the group holds devices that still exist. Devices already Deleted keep their
 * group for the audit trail, so the group is archived rather than erased.
 */
export function deleteDeviceGroup(db: Database, raw: { id: string }, ctx: MutationContext): { id: string } {
  const step = 'delete-device-group';
  const input = parseInput(deviceGroupIdInput, raw, step);
  const time = timestamp(ctx);
  writeTransaction(db, () => {
    const group = getDeviceGroup(db, input.id, step);
    if (group.deviceCount > 0) {
      throw new StationError(
        'GROUP_NOT_EMPTY',
        `The device group "${group.name}" still has ${group.deviceCount} device(s). Move or delete them first.`,
        { step, params: { name: group.name, count: group.deviceCount } },
      );
    }
    statement(db, 'UPDATE device_groups SET deleted_at = ?, updated_at = ? WHERE id = ?').run(time, time, input.id);
    appendAudit(
      db,
      { actor: ctx.actor, action: 'deviceGroup.delete', subject: input.id, details: { name: group.name } },
      time,
    );
  });
  return { id: input.id };
}
