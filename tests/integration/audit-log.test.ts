import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyAuditLog } from '../../main/core/audit/audit-log.repo';
import { createDeviceGroup, renameDeviceGroup } from '../../main/core/inventory/device-groups.repo';
import { registerDevice, setDeviceStatus } from '../../main/core/inventory/devices.repo';
import { ctx, testStation } from '../helpers/station';

/** A station whose log holds a few real entries. */
function stationWithHistory() {
  const station = testStation();
  const group = createDeviceGroup(station.db, { name: 'Line 1' }, ctx);
  renameDeviceGroup(station.db, { id: group.id, name: 'Line A' }, ctx);
  const device = registerDevice(station.db, { name: 'gw-1', groupId: group.id, attributes: { mac: '00:11' } }, ctx);
  setDeviceStatus(station.db, { id: device.id, status: 'Disabled' }, ctx);
  return station;
}

/** What an attacker with the file would do: drop the guards, then edit. */
function dropGuards(station: ReturnType<typeof testStation>) {
  station.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
}

describe('audit log', () => {
  it('records every change, linked into a valid chain', () => {
    const station = stationWithHistory();
    const actions = station.db.prepare('SELECT action, actor FROM audit_log ORDER BY seq').all();
    assert.deepEqual(actions, [
      { action: 'deviceGroup.create', actor: ctx.actor },
      { action: 'deviceGroup.rename', actor: ctx.actor },
      { action: 'device.register', actor: ctx.actor },
      { action: 'device.disable', actor: ctx.actor },
    ]);
    const report = verifyAuditLog(station.db);
    assert.equal(report.ok, true);
    assert.equal(report.entries, 4);
    station.close();
  });

  it('refuses updates and deletes outright', () => {
    const station = stationWithHistory();
    assert.throws(() => station.db.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 1"), /append-only/);
    assert.throws(() => station.db.exec('DELETE FROM audit_log WHERE seq = 1'), /append-only/);
    station.close();
  });

  it('detects an altered row', () => {
    const station = stationWithHistory();
    dropGuards(station);
    station.db.exec(`UPDATE audit_log SET details = '{"name":"Line Z"}' WHERE seq = 2`);
    const report = verifyAuditLog(station.db);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems, [{ kind: 'altered', seq: 2 }]);
    station.close();
  });

  it('detects a deleted row', () => {
    const station = stationWithHistory();
    dropGuards(station);
    station.db.exec('DELETE FROM audit_log WHERE seq = 2');
    const report = verifyAuditLog(station.db);
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => p.kind === 'gap' && p.seq === 3));
    station.close();
  });

  it('detects reordered rows', () => {
    const station = stationWithHistory();
    dropGuards(station);
    // Swap the contents of entries 2 and 3 while keeping their sequence numbers.
    station.db.exec(`
      UPDATE audit_log SET seq = -2 WHERE seq = 2;
      UPDATE audit_log SET seq = 2 WHERE seq = 3;
      UPDATE audit_log SET seq = 3 WHERE seq = -2;
    `);
    const report = verifyAuditLog(station.db);
    assert.equal(report.ok, false);
    assert.ok(report.problems.some((p) => p.kind === 'broken-link'));
    station.close();
  });

  it('detects a cut-off tail against the head seen earlier', () => {
    const station = stationWithHistory();
    const head = verifyAuditLog(station.db).head;
    assert.ok(head);
    dropGuards(station);
    station.db.exec('DELETE FROM audit_log WHERE seq = 4');
    assert.equal(verifyAuditLog(station.db, head).ok, false);
    station.close();
  });
});
