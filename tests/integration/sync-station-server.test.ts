// A station and the central server end to end, on a real PostgreSQL: a line provisions devices
// while the server cannot be reached, and everything arrives once it can; pushes whose answers
// are lost, 500s, slow answers and refused connections cost retries, never a record twice; the
// server hands out configuration; a device edited in both places ends up as the station has it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../main/core/device/simulator/simulator';
import { registerDevices } from '../../main/core/inventory/devices.repo';
import { openStation, type Station } from '../../main/core/station';
import type { SyncStatus } from '../../preload/contract';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { setUpLine, type TestLine } from '../helpers/line';
import { call, refused } from '../helpers/pki';
import type { Pool } from 'pg';
import { createAdministrator, type RunningServer, startServer } from '../../server/start-server';
import { createTestDatabase, testPool } from '../helpers/postgres';
import { api, count } from '../helpers/server';
import { tempDir } from '../helpers/temp-dir';

const syncTuning = { intervalMs: 50, configIntervalMs: 200, backoff: { baseMs: 20, capMs: 200 }, timeoutMs: 5_000 };

async function until<T>(what: string, probe: () => T | Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const stationCount = (station: Station, table: string) =>
  (station.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('a station syncing with the central server', () => {
  const dir = tempDir();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let running: RunningServer;
  let server: {
    db: Pool;
    call: <T = unknown>(
      method: string,
      path: string,
      options?: { token?: string; body?: unknown },
    ) => ReturnType<typeof api<T>>;
  };
  let proxy: FaultProxy;
  let simulator: Simulator;
  let station: Station;
  let line: TestLine;
  let stationId: string;

  before(async () => {
    database = await createTestDatabase();
    running = await startServer({ databaseUrl: database.url, port: 0 });
    const { token } = await createAdministrator(database.url, 'admin');
    const db = testPool(database.url);
    server = { db, call: (method, path, options = {}) => api(running.url, method, path, { token, ...options }) };
    proxy = await startFaultProxy(running.url);
    simulator = await startSimulator({
      ports: 4,
      baudRate: 115200,
      stateDir: path.join(dir, 'sim'),
      feed: { total: 12, swapDelayMs: 50 },
    });
    station = openStation(path.join(dir, 'station'), {
      keyStore: { pin: '1234' },
      line: { pollMs: 50 },
      sync: syncTuning,
    });
    line = await setUpLine(
      station,
      dir,
      simulator.ports.map((p) => p.stationPath),
    );
  });

  after(async () => {
    await station.close();
    await simulator.close();
    await proxy.close();
    await running.close();
    await server.db.end();
    await database.drop();
  });

  it('is not enrolled at first, and refuses a sync now that says so', async () => {
    const status = await call(station, 'sync.status', {});
    assert.equal(status.connection, 'not-enrolled');
    assert.ok(status.queueLength > 0, 'the CA, policy and line set-up are already queued');
    await refused(station, 'sync.now', {}, 'SYNC_NOT_ENROLLED');
  });

  it('refuses a used or unknown enrolment token and a URL that is none, and enrols with a fresh one', async () => {
    await refused(
      station,
      'sync.enrol',
      { serverUrl: 'ftp://example', enrolmentToken: 'tle_x', stationName: 'line-1' },
      'INVALID_INPUT',
    );
    await refused(
      station,
      'sync.enrol',
      { serverUrl: proxy.url, enrolmentToken: 'tle_not-a-token', stationName: 'line-1' },
      'SYNC_REFUSED',
    );
    const created = await server.call<{ station: { id: string }; enrolmentToken: string }>('POST', '/api/v1/stations', {
      body: { name: 'line-1' },
    });
    assert.equal(created.status, 201);
    const status = await call(station, 'sync.enrol', {
      serverUrl: `${proxy.url}/`,
      enrolmentToken: created.body.enrolmentToken,
      stationName: 'line-1',
    });
    stationId = created.body.station.id;
    assert.equal(status.stationId, stationId);
    assert.equal(status.serverUrl, proxy.url, 'the URL is kept without its trailing slash');
    const again = await server.call('POST', '/api/v1/enrol', {
      token: '',
      body: { enrolmentToken: created.body.enrolmentToken, stationName: 'copy' },
    });
    assert.equal(again.status, 401, 'an enrolment token works once');
  });

  it('provisions a line while the server cannot be reached, keeping everything queued', async () => {
    proxy.plan(() => ({ kind: 'reset' }));
    station.sync.start();
    await call(station, 'line.start', { recipeId: line.recipe.id });
    const provisioned = () =>
      (station.db.prepare("SELECT count(*) AS n FROM devices WHERE state = 'Provisioned'").get() as { n: number }).n;
    await until('12 devices provisioned', provisioned, (n) => n >= 12, 90_000);
    await call(station, 'line.stop', {});
    assert.equal(provisioned(), 12);
    const offline = await until(
      'offline',
      () => call(station, 'sync.status', {}),
      (s: SyncStatus) => s.connection === 'offline',
    );
    assert.equal(offline.lastError?.code, 'SYNC_SERVER_UNREACHABLE');
    assert.ok(offline.nextAttemptAt, 'it says when it tries again');
    assert.ok(offline.queueLength >= 12 + 12 + 12, 'devices, certificates and audit entries wait');
    assert.equal(await count(server.db, 'devices'), 0);
  });

  it('delivers everything exactly once when the server comes back, through lost answers, 500s and slow answers', async () => {
    // The first pushes that get through lose their answers, then the server errors, then it is slow.
    let pushes = 0;
    proxy.plan((request) => {
      if (!request.path.startsWith('/api/v1/sync/push')) return { kind: 'pass' };
      pushes += 1;
      if (pushes <= 2) return { kind: 'drop-response' };
      if (pushes === 3) return { kind: 'status-500' };
      if (pushes === 4) return { kind: 'delay', ms: 1_500 };
      return { kind: 'pass' };
    });
    const online = await until(
      'drained',
      () => call(station, 'sync.status', {}),
      (s: SyncStatus) => s.connection === 'online' && s.queueLength === 0,
      30_000,
    );
    assert.equal(online.lastError, null);
    assert.ok(pushes >= 4, `the faults were met (${pushes} pushes)`);
    const faults = new Set(proxy.log.map((r) => r.fault));
    for (const kind of ['reset', 'drop-response', 'status-500', 'delay']) assert.ok(faults.has(kind as never), kind);

    assert.equal(await count(server.db, 'devices', 'station_id = $1', [stationId]), stationCount(station, 'devices'));
    assert.equal(
      await count(server.db, 'certificates', 'station_id = $1', [stationId]),
      stationCount(station, 'certificates'),
    );
    assert.equal(
      await count(server.db, 'station_audit', 'station_id = $1', [stationId]),
      stationCount(station, 'audit_log'),
    );
    const local = station.db.prepare('SELECT id, der FROM certificates ORDER BY seq').all() as Array<{
      id: string;
      der: Buffer;
    }>;
    for (const cert of local) {
      const remote = await server.call<{ der: string }>('GET', `/api/v1/certificates/${cert.id}`);
      assert.equal(remote.status, 200);
      assert.equal(remote.body.der, cert.der.toString('base64'), 'the server holds the certificate itself');
    }
    const devices = await server.call<{ items: Array<{ name: string; state: string }> }>(
      'GET',
      `/api/v1/devices?stationId=${stationId}&state=Provisioned&limit=500`,
    );
    assert.equal(devices.body.items.length, 12);
  });

  it('keeps the station’s values for a device edited in both places, and says what it overwrote', async () => {
    const device = station.db
      .prepare("SELECT id, description FROM devices WHERE state = 'Provisioned' LIMIT 1")
      .get() as { id: string; description: string };
    const edited = await server.call('PATCH', `/api/v1/devices/${device.id}`, {
      body: { description: 'edited on the server' },
    });
    assert.equal(edited.status, 200);
    await call(station, 'devices.setStatus', { id: device.id, status: 'Disabled' });
    await until(
      'pushed',
      () => call(station, 'sync.status', {}),
      (s: SyncStatus) => s.queueLength === 0,
    );
    const remote = await server.call<{ status: string; description: string }>('GET', `/api/v1/devices/${device.id}`);
    assert.equal(remote.body.status, 'Disabled');
    assert.equal(remote.body.description, device.description, 'the station’s description wins');
    const overwritten = await count(
      server.db,
      'server_audit',
      "action = 'device.server-edit-overwritten' AND subject = $1",
      [device.id],
    );
    assert.equal(overwritten, 1);
  });

  it('takes device groups and policies from the server, and reports a policy for a CA it lacks', async () => {
    const group = await server.call<{ id: string }>('POST', '/api/v1/device-groups', {
      body: { name: 'From HQ', description: 'made on the server' },
    });
    assert.equal(group.status, 201);
    const policy = await server.call<{ version: number }>('POST', '/api/v1/policies', {
      body: { name: 'Elsewhere', issuingCaId: '4a4a4a4a-4a4a-4a4a-8a4a-4a4a4a4a4a4a', body: {} },
    });
    assert.equal(policy.status, 201);
    const status = await call(station, 'sync.now', {});
    const local = station.db.prepare('SELECT name, description FROM device_groups WHERE id = ?').get(group.body.id);
    assert.deepEqual(local, { name: 'From HQ', description: 'made on the server' });
    assert.equal(status.configWarnings.length, 1);
    assert.match(status.configWarnings[0]!, /Elsewhere.*not on this station/);
    // Asked for again at every pull (its CA may arrive), but logged once, not at every pull.
    const applied = () =>
      (
        station.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'sync.config-applied'").get() as {
          n: number;
        }
      ).n;
    const logged = applied();
    const again = await call(station, 'sync.now', {});
    assert.deepEqual(again.configWarnings, status.configWarnings);
    assert.equal(applied(), logged);
    // The station's own sync may have pulled the group alone before the policy existed: the
    // version may have moved up to the group's, never to the policy's.
    const kept = (station.db.prepare('SELECT config_version AS v FROM sync_state').get() as { v: number }).v;
    assert.ok(kept < policy.body.version, `the version (${kept}) stays before the policy it could not take`);
  });

  it('takes records from a station whose clock runs days ahead, stamped as the station wrote them', async () => {
    const ahead = new Date(Date.now() + 3 * 86_400_000);
    const [id] = registerDevices(station.db, [{ name: 'from-the-future', groupId: line.groupId }], {
      actor: 'test:skewed-clock',
      now: () => ahead,
    });
    await call(station, 'sync.now', {});
    const remote = await server.call<{ createdAt: string; receivedAt: string }>('GET', `/api/v1/devices/${id}`);
    assert.equal(remote.status, 200);
    assert.equal(remote.body.createdAt, ahead.toISOString(), 'the station’s own time is kept as data');
    assert.ok(Date.parse(remote.body.receivedAt) <= Date.now(), 'the server stamps receipt with its own clock');
  });

  it('stops with SYNC_REFUSED once the server revokes the station, keeping what is queued', async () => {
    const revoked = await server.call('POST', `/api/v1/stations/${stationId}/revoke`);
    assert.equal(revoked.status, 200);
    // Written after the revocation: it waits on the station, it does not vanish.
    await call(station, 'devices.register', { name: 'after-revocation', groupId: line.groupId });
    const status = await until(
      'refused',
      () => call(station, 'sync.status', {}),
      (s: SyncStatus) => s.connection === 'refused',
    );
    assert.equal(status.lastError?.code, 'SYNC_REFUSED');
    assert.match(status.lastError?.message ?? '', /STATION_REVOKED/);
    assert.ok(status.queueLength > 0);
  });
});
