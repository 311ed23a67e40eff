// What the station does when sync cannot simply go on: a second enrolment is refused, a station
// restored from a backup does not pass its new records off as ones the server already has, and a
// record the server refuses is found and named while everything before it arrives.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pool } from 'pg';
import { registerDevices } from '../../main/core/inventory/devices.repo';
import { openStation, type Station } from '../../main/core/station';
import { createAdministrator, type RunningServer, startServer } from '../../server/start-server';
import { call, refused } from '../helpers/pki';
import { createTestDatabase, testPool } from '../helpers/postgres';
import { api, count } from '../helpers/server';
import { callContext, ctx } from '../helpers/station';
import { tempDir } from '../helpers/temp-dir';

describe('sync when it cannot simply go on', () => {
  const dir = tempDir();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let db: Pool;
  let adminToken: string;

  before(async () => {
    database = await createTestDatabase();
    server = await startServer({ databaseUrl: database.url, port: 0 });
    adminToken = (await createAdministrator(database.url, 'admin')).token;
    db = testPool(database.url);
  });
  after(async () => {
    await server.close();
    await db.end();
    await database.drop();
  });

  const enrolmentToken = async (name: string) => {
    const created = await api<{ enrolmentToken: string }>(server.url, 'POST', '/api/v1/stations', {
      token: adminToken,
      body: { name },
    });
    assert.equal(created.status, 201);
    return created.body.enrolmentToken;
  };
  const enrolled = async (folder: string, name: string): Promise<Station> => {
    const station = openStation(folder);
    await call(station, 'sync.enrol', {
      serverUrl: server.url,
      enrolmentToken: await enrolmentToken(name),
      stationName: name,
    });
    return station;
  };
  const addDevices = async (station: Station, prefix: string, n: number) => {
    const group = await call(station, 'deviceGroups.create', { name: `${prefix} group` });
    registerDevices(
      station.db,
      Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}`, groupId: group.id })),
      ctx,
    );
  };

  it('refuses a second enrolment, keeping the first', async () => {
    const station = await enrolled(path.join(dir, 'twice'), 'twice');
    try {
      const first = await call(station, 'sync.status', {});
      await refused(
        station,
        'sync.enrol',
        { serverUrl: server.url, enrolmentToken: await enrolmentToken('twice-again'), stationName: 'twice' },
        'SYNC_ALREADY_ENROLLED',
      );
      const after = await call(station, 'sync.status', {});
      assert.equal(after.stationId, first.stationId);
    } finally {
      await station.close();
    }
  });

  it('sends nothing from a station restored from a backup older than what the server holds', async () => {
    const live = path.join(dir, 'live');
    const backup = path.join(dir, 'backup');
    let station = await enrolled(live, 'restored');
    await addDevices(station, 'early', 2);
    await call(station, 'sync.now', {});
    await station.close();
    cpSync(live, backup, { recursive: true });

    station = openStation(live);
    await addDevices(station, 'later', 20);
    await call(station, 'sync.now', {});
    await station.close();
    const onServer = await count(db, 'devices');

    const restored = openStation(backup);
    try {
      await addDevices(restored, 'after-restore', 1);
      const answer = await restored.dispatch('sync.now', {}, callContext);
      assert.equal(answer.ok, false);
      assert.ok(!answer.ok && answer.error.code === 'SYNC_REFUSED');
      assert.match(!answer.ok ? answer.error.message : '', /restored from a backup/);
      assert.equal(await count(db, 'devices'), onServer, 'nothing of the restored station was taken');
      const status = await call(restored, 'sync.status', {});
      assert.ok(status.queueLength > 0, 'its new records stay queued');
    } finally {
      await restored.close();
    }
  });

  it('finds the one record the server refuses, names it, and delivers every record before it', async () => {
    const station = await enrolled(path.join(dir, 'poison'), 'poison');
    try {
      await addDevices(station, 'before', 40);
      // A damaged record: an attribute name longer than the wire contract allows.
      const victim = station.db.prepare("SELECT seq, id FROM devices WHERE name = 'before-25'").get() as {
        seq: number;
        id: string;
      };
      station.db
        .prepare('INSERT INTO device_attributes (device_seq, key, value) VALUES (?, ?, ?)')
        .run(victim.seq, 'k'.repeat(200), 'v');
      const poisonSeq = (
        station.db
          .prepare("SELECT max(seq) AS seq FROM sync_outbox WHERE kind = 'device' AND ref = ?")
          .get(victim.id) as { seq: number }
      ).seq;
      await addDevices(station, 'after', 5);
      const answer = await station.dispatch('sync.now', {}, callContext);
      assert.equal(answer.ok, false);
      const message = !answer.ok ? answer.error.message : '';
      assert.match(message, new RegExp(`refuses record ${poisonSeq} \\(device ${victim.id}\\)`));
      const status = await call(station, 'sync.status', {});
      assert.equal(status.pushedThrough, poisonSeq - 1, 'everything before the refused record is on the server');
      assert.equal(status.connection, 'refused');
    } finally {
      await station.close();
    }
  });
});
