// The central server killed (SIGKILL) while it applies a push, then started again: the station
// does not know whether that push landed, sends it again once the server is back, and every
// record is on the server exactly once, the station's audit chain unbroken.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pool } from 'pg';
import { registerDevices } from '../../main/core/inventory/devices.repo';
import { openStation, type Station } from '../../main/core/station';
import { createAdministrator } from '../../server/start-server';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy';
import { call } from '../helpers/pki';
import { createTestDatabase, testPool } from '../helpers/postgres';
import { api, count } from '../helpers/server';
import { ctx } from '../helpers/station';
import { tempDir } from '../helpers/temp-dir';

/** `trustline server` as its own process, so that it can be killed outright. */
async function serverProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'main/cli/trustline.ts', 'server', '--db', databaseUrl, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`trustline server exited with ${code}:\n${output}`)));
  });
  return { url, child };
}

describe('the central server killed in the middle of a push', () => {
  const dir = tempDir();
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Pool;
  let proxy: FaultProxy;
  let station: Station;
  let current: ChildProcess;

  before(async () => {
    database = await createTestDatabase();
    const first = await serverProcess(database.url);
    current = first.child;
    proxy = await startFaultProxy(first.url);
    db = testPool(database.url);
    const { token } = await createAdministrator(database.url, 'admin');
    const created = await api<{ enrolmentToken: string }>(first.url, 'POST', '/api/v1/stations', {
      token,
      body: { name: 'line-9' },
    });
    station = openStation(path.join(dir, 'station'), {
      sync: { batchSize: 200, intervalMs: 50, backoff: { baseMs: 50, capMs: 400 }, timeoutMs: 5_000 },
    });
    await call(station, 'sync.enrol', {
      serverUrl: proxy.url,
      enrolmentToken: created.body.enrolmentToken,
      stationName: 'line-9',
    });
    const group = await call(station, 'deviceGroups.create', { name: 'Line 9' });
    registerDevices(
      station.db,
      Array.from({ length: 1500 }, (_, i) => ({ name: `dev-${i}`, groupId: group.id, attributes: { lot: 'L9' } })),
      ctx,
    );
  });

  after(async () => {
    await station.close();
    current.kill('SIGKILL');
    await proxy.close();
    await db.end();
    await database.drop();
  });

  it('gets every record there exactly once after the server is killed mid-push and restarted', async () => {
    let pushes = 0;
    let killed: Promise<unknown> | null = null;
    proxy.plan((request) => {
      if (!request.path.startsWith('/api/v1/sync/push')) return { kind: 'pass' };
      pushes += 1;
      if (pushes !== 4) return { kind: 'pass' };
      return {
        kind: 'during',
        // A moment in: the server has the request and is applying it, or about to.
        run: () => {
          const victim = current;
          killed = once(victim, 'exit');
          setTimeout(() => victim.kill('SIGKILL'), 15);
        },
      };
    });
    await assert.rejects(station.sync.syncNow(), { code: 'SYNC_SERVER_UNREACHABLE' });
    assert.ok(killed, 'the fourth push met the kill');
    await killed;
    const landed = await count(db, 'devices');
    assert.ok(landed > 0 && landed < 1500, `some but not all devices arrived before the kill (${landed})`);

    const restarted = await serverProcess(database.url);
    current = restarted.child;
    proxy.target(restarted.url);
    const status = await station.sync.syncNow();
    assert.equal(status.queueLength, 0);
    assert.equal(status.connection, 'online');

    const local = (table: string) =>
      (station.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    assert.equal(await count(db, 'devices'), local('devices'));
    assert.equal(await count(db, 'station_audit'), local('audit_log'));
    // The chain as the server holds it: each entry names the previous one's hash, no gap, no repeat.
    const chain = await db.query<{ seq: string; prev_hash: string; hash: string }>(
      'SELECT seq, prev_hash, hash FROM station_audit ORDER BY seq',
    );
    chain.rows.forEach((row, i) => {
      assert.equal(Number(row.seq), i + 1);
      if (i > 0) assert.equal(row.prev_hash, chain.rows[i - 1]!.hash);
    });
  });
});
