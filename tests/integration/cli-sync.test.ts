// `trustline sync enrol|status|now` against a real central server: what a site's script sees,
// exit codes included, when the token is wrong, when all is well and when the server is gone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { SyncStatus } from '../../preload/contract';
import { createAdministrator, type RunningServer, startServer } from '../../server/start-server';
import { createTestDatabase } from '../helpers/postgres';
import { api } from '../helpers/server';
import { tempDir } from '../helpers/temp-dir';

const run = promisify(execFile);

/** The CLI from source, asynchronously: the server answering it lives in this process. */
async function trustline(data: string, args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TRUSTLINE_') || name === 'TRUSTLINE_TEST_PG'),
  );
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'main/cli/trustline.ts', ...args, '--data', data],
      { env: { ...base, ...env }, encoding: 'utf8' },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('trustline sync', () => {
  const dir = tempDir('trustline-cli-sync-');
  const data = path.join(dir, 'data');
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: RunningServer;
  let adminToken: string;

  before(async () => {
    database = await createTestDatabase();
    server = await startServer({ databaseUrl: database.url, port: 0 });
    adminToken = (await createAdministrator(database.url, 'admin')).token;
  });
  after(async () => {
    await server.close();
    await database.drop();
  });

  const enrolmentToken = async () => {
    const created = await api<{ enrolmentToken: string }>(server.url, 'POST', '/api/v1/stations', {
      token: adminToken,
      body: { name: 'cli-station' },
    });
    assert.equal(created.status, 201);
    return created.body.enrolmentToken;
  };

  it('says a new station is not enrolled, and what waits meanwhile', async () => {
    const status = await trustline(data, ['sync', 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Not enrolled with a central server; \d+ records queued/);
  });

  it('answers usage errors with exit code 2: no server, no token', async () => {
    const noServer = await trustline(data, ['sync', 'enrol']);
    assert.equal(noServer.code, 2);
    assert.match(noServer.stderr, /--server/);
    const noToken = await trustline(data, ['sync', 'enrol', '--server', server.url]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /TRUSTLINE_ENROLMENT_TOKEN/);
  });

  it('refuses an unknown enrolment token with the server’s reason and stays not enrolled', async () => {
    const refused = await trustline(data, ['sync', 'enrol', '--server', server.url], {
      TRUSTLINE_ENROLMENT_TOKEN: 'tle_made-up',
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /SYNC_REFUSED.*ENROLMENT_TOKEN_INVALID/);
    const status = await trustline(data, ['sync', 'status', '--json']);
    assert.equal((JSON.parse(status.stdout) as SyncStatus).connection, 'not-enrolled');
  });

  it('enrols from a token file, then pushes everything with sync now', async () => {
    const tokenFile = path.join(dir, 'enrolment-token');
    writeFileSync(tokenFile, `${await enrolmentToken()}\n`);
    const enrolled = await trustline(data, [
      'sync',
      'enrol',
      '--server',
      server.url,
      '--token-file',
      tokenFile,
      '--name',
      'cli-station',
    ]);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    assert.match(enrolled.stdout, /Enrolled as station [0-9a-f-]{36} with http:\/\/127\.0\.0\.1:\d+/);

    const now = await trustline(data, ['sync', 'now', '--json']);
    assert.equal(now.code, 0, now.stderr);
    const status = JSON.parse(now.stdout) as SyncStatus;
    assert.equal(status.connection, 'online');
    assert.equal(status.queueLength, 0);
    const stations = await api<{ items: Array<{ id: string; appliedThrough: number }> }>(
      server.url,
      'GET',
      '/api/v1/stations',
      { token: adminToken },
    );
    const mine = stations.body.items.find((s) => s.id === status.stationId);
    assert.equal(mine?.appliedThrough, status.pushedThrough, 'the server holds everything the station pushed');
  });

  it('exits 1 naming the problem when the server cannot be reached, and status says offline', async () => {
    await server.close();
    const now = await trustline(data, ['sync', 'now']);
    assert.equal(now.code, 1);
    assert.match(now.stderr, /SYNC_SERVER_UNREACHABLE/);
    const status = await trustline(data, ['sync', 'status']);
    assert.match(status.stdout, /Connection: +offline/);
    assert.match(status.stdout, /Last error: +SYNC_SERVER_UNREACHABLE/);
    server = await startServer({ databaseUrl: database.url, port: 0 });
  });
});
