import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Client } from 'pg';
import { syncPaths, type PushResponse } from '../../sync-protocol';
import { applicationName } from '../../server/db/pool';
import { startServer } from '../../server/start-server';
import { api, count, enrolStation, errorCode, pushOf, sample, startTestServer } from '../helpers/server';

const server = await startTestServer();
const station = await enrolStation(server);

// An 'error' nobody listens for would surface here instead of crashing the test process.
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
process.on('uncaughtException', onUncaught);
after(() => {
  process.off('uncaughtException', onUncaught);
});

const pushTo = (base: string, firstSeq: number) =>
  api<PushResponse>(base, 'POST', syncPaths.push, {
    token: station.credential,
    body: pushOf(station.stationId, firstSeq, [{ kind: 'device', record: sample.device() }]),
  });
const appliedThrough = async () =>
  (await api<{ appliedThrough: number }>(server.url, 'GET', syncPaths.state, { token: station.credential })).body
    .appliedThrough;

/** Another connection holding the station's row lock, as an abandoned push would. */
async function holdStationLock(): Promise<{ locker: Client; release(): Promise<void> }> {
  const locker = new Client({ connectionString: server.databaseUrl });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query('SELECT 1 FROM stations WHERE id = $1 FOR UPDATE', [station.stationId]);
  return {
    locker,
    async release() {
      await locker.query('ROLLBACK');
      await locker.end();
    },
  };
}

/** Waits until some server connection waits on a lock: the push is inside its transaction. */
async function untilWaitingOnLock(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await server.db.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1
          AND wait_event_type = 'Lock'`,
      [applicationName],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the push never waited on the station lock');
}

const terminateServerBackends = () =>
  server.db.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
    [applicationName],
  );

const healthy = async () => (await api(server.url, 'GET', '/healthz')).status === 200;

describe('central server: database connections lost or held', () => {
  it('survives its backends being terminated mid-transaction and between requests', async () => {
    const lock = await holdStationLock();
    const first = (await appliedThrough()) + 1;
    let answer;
    try {
      const pending = pushTo(server.url, first);
      await untilWaitingOnLock();
      await terminateServerBackends();
      answer = await pending;
    } finally {
      await lock.release();
    }
    // Let the lost connection's 'error' events fire before judging.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(uncaught, []);
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(errorCode(answer), 'UNAVAILABLE');
    assert.ok(await healthy(), 'the server still answers /healthz');
    assert.equal((await appliedThrough()) + 1, first, 'the interrupted push applied nothing');

    // Between requests: the idle pooled connections are the ones lost.
    await terminateServerBackends();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(uncaught, []);
    assert.ok(await healthy());
    const retried = await pushTo(server.url, first);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.appliedThrough, first);
  });

  it('answers a push queued behind a held station lock with 503 UNAVAILABLE, then applies it once free', async () => {
    const impatient = await startServer({ databaseUrl: server.databaseUrl, port: 0, timeouts: { lockTimeoutMs: 300 } });
    after(() => impatient.close());
    const first = (await appliedThrough()) + 1;
    const devicesBefore = await count(server.db, 'devices');
    const lock = await holdStationLock();
    let answer;
    try {
      answer = await pushTo(impatient.url, first);
    } finally {
      await lock.release();
    }
    // A lock timeout is the station's to retry, not a server failure.
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(errorCode(answer), 'UNAVAILABLE');
    assert.equal(await count(server.db, 'devices'), devicesBefore);
    const retried = await pushTo(impatient.url, first);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.appliedThrough, first);
  });

  it('answers a statement over its time limit with 503 UNAVAILABLE', async () => {
    const hasty = await startServer({
      databaseUrl: server.databaseUrl,
      port: 0,
      timeouts: { statementTimeoutMs: 200 },
    });
    after(() => hasty.close());
    const lock = await holdStationLock();
    let answer;
    try {
      // The default lock timeout (10 s) is longer than the statement timeout: the statement limit fires.
      answer = await pushTo(hasty.url, (await appliedThrough()) + 1);
    } finally {
      await lock.release();
    }
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(errorCode(answer), 'UNAVAILABLE');
  });
});
