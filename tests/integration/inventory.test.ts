import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createDeviceGroup,
  deleteDeviceGroup,
  listDeviceGroups,
  renameDeviceGroup,
} from '../../main/core/inventory/device-groups.repo';
import {
  deleteDevice,
  getDevice,
  listDevices,
  registerDevice,
  registerDevices,
  setDeviceStatus,
} from '../../main/core/inventory/devices.repo';
import { ctx, rowCounts, testStation } from '../helpers/station';

const unknownGroup = '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a';

/** Runs a write that must fail with `code`, and checks that no table changed. */
function assertRejected(station: ReturnType<typeof testStation>, code: string, write: () => unknown) {
  const before = rowCounts(station.db);
  assert.throws(write, (error: { code?: string }) => {
    assert.equal(error.code, code);
    return true;
  });
  assert.deepEqual(rowCounts(station.db), before);
}

describe('device groups', () => {
  it('are created, renamed and listed with their device counts', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: '  Gateways ', description: 'Edge gateways' }, ctx);
    assert.equal(group.name, 'Gateways');
    registerDevice(station.db, { name: 'gw-1', groupId: group.id }, ctx);
    const renamed = renameDeviceGroup(station.db, { id: group.id, name: 'Edge' }, ctx);
    assert.equal(renamed.name, 'Edge');
    assert.deepEqual(
      listDeviceGroups(station.db).map((g) => [g.name, g.deviceCount]),
      [['Edge', 1]],
    );
    station.close();
  });

  it('refuse a name already taken, whatever its case', () => {
    const station = testStation();
    createDeviceGroup(station.db, { name: 'Gateways' }, ctx);
    const other = createDeviceGroup(station.db, { name: 'Sensors' }, ctx);
    assertRejected(station, 'GROUP_NAME_TAKEN', () => createDeviceGroup(station.db, { name: 'gateways' }, ctx));
    assertRejected(station, 'GROUP_NAME_TAKEN', () =>
      renameDeviceGroup(station.db, { id: other.id, name: 'GATEWAYS' }, ctx),
    );
    station.close();
  });

  it('refuse empty and oversized names', () => {
    const station = testStation();
    assertRejected(station, 'INVALID_INPUT', () => createDeviceGroup(station.db, { name: '   ' }, ctx));
    assertRejected(station, 'INVALID_INPUT', () => createDeviceGroup(station.db, { name: 'g'.repeat(129) }, ctx));
    assertRejected(station, 'INVALID_INPUT', () =>
      createDeviceGroup(station.db, { name: 'g', description: 'd'.repeat(1025) }, ctx),
    );
    station.close();
  });

  it('cannot be deleted while they hold devices, and say how many', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'Line 1' }, ctx);
    const device = registerDevice(station.db, { name: 'gw-1', groupId: group.id }, ctx);
    const before = rowCounts(station.db);
    assert.throws(
      () => deleteDeviceGroup(station.db, { id: group.id }, ctx),
      (error: { code: string; message: string }) =>
        error.code === 'GROUP_NOT_EMPTY' && /still has 1 device/.test(error.message),
    );
    assert.deepEqual(rowCounts(station.db), before);
    deleteDevice(station.db, { id: device.id }, ctx);
    deleteDeviceGroup(station.db, { id: group.id }, ctx);
    assert.deepEqual(listDeviceGroups(station.db), []);
    // The deleted device keeps its group for the audit trail.
    assert.equal(getDevice(station.db, { id: device.id }).groupName, 'Line 1');
    station.close();
  });

  it('free their name once deleted', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'Line 1' }, ctx);
    deleteDeviceGroup(station.db, { id: group.id }, ctx);
    assert.equal(createDeviceGroup(station.db, { name: 'Line 1' }, ctx).name, 'Line 1');
    station.close();
  });

  it('answer GROUP_NOT_FOUND for unknown or deleted groups', () => {
    const station = testStation();
    assertRejected(station, 'GROUP_NOT_FOUND', () =>
      renameDeviceGroup(station.db, { id: unknownGroup, name: 'x' }, ctx),
    );
    assertRejected(station, 'GROUP_NOT_FOUND', () => deleteDeviceGroup(station.db, { id: unknownGroup }, ctx));
    station.close();
  });
});

describe('devices', () => {
  it('are registered Enrolled and Enabled, with attributes kept as typed', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'Line 1' }, ctx);
    const device = registerDevice(
      station.db,
      { name: 'gw-001', description: 'first', groupId: group.id, attributes: { serial: '000123', mac: '00:11:22' } },
      ctx,
    );
    assert.equal(device.state, 'Enrolled');
    assert.equal(device.status, 'Enabled');
    assert.deepEqual(device.attributes, { mac: '00:11:22', serial: '000123' });
    assert.equal(device.groupName, 'Line 1');
    assert.equal(device.lastSeenAt, null);
    assert.deepEqual(getDevice(station.db, { id: device.id }), device);
    station.close();
  });

  it('refuse bad input with a clear error and write nothing', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'Line 1' }, ctx);
    const cases: [string, unknown][] = [
      ['GROUP_NOT_FOUND', { name: 'd', groupId: unknownGroup }],
      ['INVALID_INPUT', { name: '', groupId: group.id }],
      ['INVALID_INPUT', { name: '   ', groupId: group.id }],
      ['INVALID_INPUT', { name: 'd'.repeat(129), groupId: group.id }],
      ['INVALID_INPUT', { name: 'd', description: 'x'.repeat(1025), groupId: group.id }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: { serial: 123 } }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: { mac: null } }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: { 'bad key': 'x' } }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: { k: 'v'.repeat(257) } }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: 'mac=1' }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: JSON.parse('{"__proto__":"x"}') }],
      ['INVALID_INPUT', { name: 'd', groupId: group.id, attributes: { constructor: 'x' } }],
      ['INVALID_INPUT', { name: 'd', groupId: 'not-an-id' }],
      ['INVALID_INPUT', { name: 'd' }],
      [
        'INVALID_INPUT',
        {
          name: 'd',
          groupId: group.id,
          attributes: Object.fromEntries([...Array(33).keys()].map((i) => [`k${i}`, 'v'])),
        },
      ],
    ];
    for (const [code, input] of cases) {
      assertRejected(station, code, () => registerDevice(station.db, input as never, ctx));
    }
    station.close();
  });

  it('trim attribute values so a filter finds them', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'A' }, ctx);
    registerDevice(station.db, { name: 'd', groupId: group.id, attributes: { serial: ' 000123 ' } }, ctx);
    assert.equal(listDevices(station.db, { attribute: { key: 'serial', value: '000123' } }).total, 1);
    station.close();
  });

  it('write a change and its audit entry together or not at all', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'A' }, ctx);
    station.db.exec(
      "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;",
    );
    const before = rowCounts(station.db);
    assert.throws(
      () => registerDevice(station.db, { name: 'd', groupId: group.id, attributes: { mac: '1' } }, ctx),
      /disk trouble/,
    );
    assert.throws(() => renameDeviceGroup(station.db, { id: group.id, name: 'B' }, ctx), /disk trouble/);
    assert.deepEqual(rowCounts(station.db), before);
    assert.equal(listDeviceGroups(station.db)[0]?.name, 'A');
    station.close();
  });

  it('name the offending fields', () => {
    const station = testStation();
    assert.throws(
      () => registerDevice(station.db, { name: '', groupId: unknownGroup, attributes: { serial: 5 } } as never, ctx),
      (error: { issues: { path: string }[]; message: string }) => {
        assert.deepEqual(error.issues.map((i) => i.path).sort(), ['attributes.serial', 'name']);
        assert.match(error.message, /name: must not be empty/);
        return true;
      },
    );
    station.close();
  });

  it('refuse a name that already exists in the group, but allow it in another group or after deletion', () => {
    const station = testStation();
    const a = createDeviceGroup(station.db, { name: 'A' }, ctx);
    const b = createDeviceGroup(station.db, { name: 'B' }, ctx);
    const first = registerDevice(station.db, { name: 'gw-1', groupId: a.id }, ctx);
    assertRejected(station, 'DEVICE_NAME_TAKEN', () =>
      registerDevice(station.db, { name: 'gw-1', groupId: a.id }, ctx),
    );
    registerDevice(station.db, { name: 'gw-1', groupId: b.id }, ctx);
    deleteDevice(station.db, { id: first.id }, ctx);
    registerDevice(station.db, { name: 'gw-1', groupId: a.id }, ctx);
    station.close();
  });

  it('are enabled and disabled, with one audit entry per real change', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'A' }, ctx);
    const device = registerDevice(station.db, { name: 'gw-1', groupId: group.id }, ctx);
    const before = rowCounts(station.db).audit_log ?? 0;
    assert.equal(setDeviceStatus(station.db, { id: device.id, status: 'Disabled' }, ctx).status, 'Disabled');
    assert.equal(setDeviceStatus(station.db, { id: device.id, status: 'Disabled' }, ctx).status, 'Disabled');
    assert.equal(setDeviceStatus(station.db, { id: device.id, status: 'Enabled' }, ctx).status, 'Enabled');
    assert.equal(rowCounts(station.db).audit_log, before + 2);
    station.close();
  });

  it('are deleted by state, kept on record, and then refuse changes', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'A' }, ctx);
    const device = registerDevice(station.db, { name: 'gw-1', groupId: group.id, attributes: { mac: '1' } }, ctx);
    const deleted = deleteDevice(station.db, { id: device.id }, ctx);
    assert.equal(deleted.state, 'Deleted');
    assert.deepEqual(deleted.attributes, { mac: '1' });
    assertRejected(station, 'DEVICE_DELETED', () => deleteDevice(station.db, { id: device.id }, ctx));
    assertRejected(station, 'DEVICE_DELETED', () =>
      setDeviceStatus(station.db, { id: device.id, status: 'Disabled' }, ctx),
    );
    assert.equal(listDevices(station.db, {}).total, 0);
    assert.equal(listDevices(station.db, { state: 'Deleted' }).items[0]?.id, device.id);
    station.close();
  });

  it('answer DEVICE_NOT_FOUND for unknown IDs', () => {
    const station = testStation();
    assertRejected(station, 'DEVICE_NOT_FOUND', () =>
      setDeviceStatus(station.db, { id: unknownGroup, status: 'Enabled' }, ctx),
    );
    assert.throws(() => getDevice(station.db, { id: unknownGroup }), { code: 'DEVICE_NOT_FOUND' });
    station.close();
  });

  it('register in bulk all together or not at all, naming the failing row', () => {
    const station = testStation();
    const group = createDeviceGroup(station.db, { name: 'A' }, ctx);
    const before = rowCounts(station.db);
    assert.throws(
      () =>
        registerDevices(
          station.db,
          [
            { name: 'd1', groupId: group.id },
            { name: 'd2', groupId: group.id },
            { name: 'd1', groupId: group.id },
          ],
          ctx,
        ),
      (error: { code: string; message: string }) => error.code === 'DEVICE_NAME_TAKEN' && /^Row 3:/.test(error.message),
    );
    assert.deepEqual(rowCounts(station.db), before);
    const ids = registerDevices(
      station.db,
      [
        { name: 'd1', groupId: group.id },
        { name: 'd2', groupId: group.id },
      ],
      ctx,
    );
    assert.equal(ids.length, 2);
    station.close();
  });
});
