// The outbox the central server is fed from: every accepted write queues its record in the same
// transaction, a rejected write queues nothing, a record waiting unread is queued once however
// often it changes, and a change made while a push is in flight is queued again.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { acknowledge, queueLength, readSyncState, takeBatch } from '../../main/core/sync/outbox.repo';
import { syncRecordSchema } from '../../sync-protocol';
import { call, refused } from '../helpers/pki';
import { rowCounts, testStation } from '../helpers/station';

describe('the sync outbox', () => {
  const station = testStation();
  after(() => station.close());
  const queued = () =>
    station.db.prepare('SELECT seq, kind, ref FROM sync_outbox ORDER BY seq').all() as Array<{
      seq: number;
      kind: string;
      ref: string;
    }>;

  it('queues a registered device once, with its audit entry, in the same transaction', async () => {
    const before = queued().length;
    const group = await call(station, 'deviceGroups.create', { name: 'Line 1' });
    const device = await call(station, 'devices.register', {
      name: 'gw-1',
      groupId: group.id,
      attributes: { mac: '00:11:22:33:44:55', lot: 'L7' },
    });
    const added = queued().slice(before);
    // Groups are the server's to hand out, not pushed; the device and both audit entries are.
    assert.deepEqual(
      added.map((e) => e.kind),
      ['audit', 'device', 'audit'],
    );
    assert.equal(added.filter((e) => e.ref === device.id).length, 1, 'the attributes did not queue the device again');
  });

  it('queues nothing for a rejected write', async () => {
    const group = await call(station, 'deviceGroups.create', { name: 'Line 2' });
    await call(station, 'devices.register', { name: 'dup', groupId: group.id });
    const counts = rowCounts(station.db);
    await refused(station, 'devices.register', { name: 'dup', groupId: group.id }, 'DEVICE_NAME_TAKEN');
    assert.deepEqual(rowCounts(station.db), counts);
  });

  it('pushes each record as it is when read, and queues a change made after that again', async () => {
    const group = await call(station, 'deviceGroups.create', { name: 'Line 3' });
    const device = await call(station, 'devices.register', { name: 'gw-3', groupId: group.id });
    const entriesFor = () => queued().filter((e) => e.ref === device.id);
    assert.equal(entriesFor().length, 1);
    // Disabled while its entry waits unread: still one entry, which will carry the new status.
    await call(station, 'devices.setStatus', { id: device.id, status: 'Disabled' });
    assert.equal(entriesFor().length, 1);

    const batch = takeBatch(station.db, 0, 10_000);
    const pushed = batch.find((r) => r.kind === 'device' && r.record.id === device.id);
    assert.equal(pushed?.kind === 'device' && pushed.record.status, 'Disabled');
    for (const record of batch) syncRecordSchema.parse(record);
    assert.deepEqual(
      batch.map((r) => r.seq),
      queued().map((e) => e.seq),
      'a push carries the queue in order',
    );

    // Enabled while that push is in flight: its contents already left, so the change queues anew.
    await call(station, 'devices.setStatus', { id: device.id, status: 'Enabled' });
    assert.equal(entriesFor().length, 2);
    const last = batch.at(-1)!.seq;
    const next = takeBatch(station.db, last, 10_000);
    const again = next.find((r) => r.kind === 'device' && r.record.id === device.id);
    assert.equal(again?.kind === 'device' && again.record.status, 'Enabled');
  });

  it('drops what the server acknowledged, never moves the mark back, and never reuses a sequence', async () => {
    const all = queued();
    const last = all.at(-1)!.seq;
    acknowledge(station.db, last);
    assert.equal(queueLength(station.db), 0);
    assert.equal(readSyncState(station.db).pushedThrough, last);
    acknowledge(station.db, last - 3);
    assert.equal(readSyncState(station.db).pushedThrough, last, 'a late, lower answer changes nothing');

    const group = await call(station, 'deviceGroups.create', { name: 'Line 4' });
    await call(station, 'devices.register', { name: 'gw-4', groupId: group.id });
    const fresh = queued();
    assert.ok(fresh.length > 0);
    assert.equal(fresh[0]!.seq, last + 1, 'sequences go on after the acknowledged ones were deleted');
    assert.equal(queueLength(station.db), fresh.length);
  });

  it('carries audit entries with their chain fields, for the server to re-check', async () => {
    const entries = takeBatch(station.db, readSyncState(station.db).pushedThrough, 10_000);
    const audit = entries.find((r) => r.kind === 'audit');
    assert.ok(audit?.kind === 'audit');
    const row = station.db.prepare('SELECT hash, prev_hash FROM audit_log WHERE seq = ?').get(audit.record.seq) as {
      hash: string;
      prev_hash: string;
    };
    assert.deepEqual([audit.record.hash, audit.record.prevHash], [row.hash, row.prev_hash]);
  });
});
