// Sync benchmark: a station with 100,000 queued records (certificates issued by its SoftHSM2 CA,
// devices registered in bulk, and their audit entries) pushes them to the central server on
// loopback, through the real HTTP API into a real PostgreSQL, as one `sync now`. Prints the
// records per second, the total time (target: under 30 s), the push latency as the station sees
// it (p50, p99, max), and beside it a baseline measured in the same run: the same records as
// JSON inserted straight into the same PostgreSQL, without HTTP, validation or exactly-once
// bookkeeping.
// Usage: npm run bench -- sync [--records N] [--certificates N] [--batch N]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { registerDevices } from '../main/core/inventory/devices.repo';
import { openStation } from '../main/core/station';
import { queueLength, readSyncState, takeBatch } from '../main/core/sync/outbox.repo';
import { createAdministrator, startServer } from '../server/start-server';
import { createTestDatabase } from '../tests/helpers/postgres';
import { benchContext, call, deviceCsrs, engineRun, setUp } from './issuance-fixtures';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'sync'),
  options: {
    records: { type: 'string', default: '100000' },
    certificates: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '1000' },
  },
});
const target = Number(values.records);
const certificates = Number(values.certificates);
const batchSize = Number(values.batch);
const pin = '1234';
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-sync-'));
const database = await createTestDatabase();

try {
  const server = await startServer({ databaseUrl: database.url, port: 0 });
  const { token } = await createAdministrator(database.url, 'bench');
  const created = await fetch(`${server.url}/api/v1/stations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-station' }),
  });
  const { enrolmentToken } = (await created.json()) as { enrolmentToken: string };

  // The records: certificates (with their audit entries) from the station's own CA, then devices.
  const setup = await setUp(dir, pin);
  const latencies: number[] = [];
  const station = openStation(path.join(dir, 'station'), {
    keyStore: { pin },
    sync: { batchSize, onPushed: ({ ms }) => latencies.push(ms) },
  });
  await engineRun(station, setup.policyId, deviceCsrs(64), certificates, 32);
  const groupId = (await call<{ id: string }>(station, 'deviceGroups.create', { name: 'Bench' })).id;
  let n = 0;
  while (queueLength(station.db) < target) {
    // A device queues itself and its audit entry.
    const count = Math.min(5000, Math.ceil((target - queueLength(station.db)) / 2));
    registerDevices(
      station.db,
      Array.from({ length: count }, () => ({
        name: `bench-${n++}`,
        groupId,
        attributes: { serial: `SN${n}`, lot: 'L1' },
      })),
      benchContext,
    );
  }
  await call(station, 'sync.enrol', { serverUrl: server.url, enrolmentToken, stationName: 'bench-station' });
  const records = queueLength(station.db);
  console.log(
    `${fmt(records)} records queued (${fmt(certificates)} certificates, ${fmt(n)} devices, their audit entries); pushes of ${fmt(batchSize)}`,
  );

  // Baseline: the same JSON, straight into PostgreSQL over one connection.
  const baselineDb = new Client({ connectionString: database.url });
  await baselineDb.connect();
  await baselineDb.query('CREATE TABLE bench_baseline (seq bigint PRIMARY KEY, kind text, body jsonb)');
  const after = readSyncState(station.db).pushedThrough;
  let baselineSeconds = 0;
  for (let from = after; ;) {
    const batch = takeBatch(station.db, from, batchSize);
    const last = batch.at(-1);
    if (!last) break;
    const started = performance.now();
    await baselineDb.query(
      `INSERT INTO bench_baseline SELECT (r->>'seq')::bigint, r->>'kind', r->'record' FROM jsonb_array_elements($1::jsonb) r`,
      [JSON.stringify(batch)],
    );
    baselineSeconds += (performance.now() - started) / 1000;
    from = last.seq;
  }
  await baselineDb.end();

  const started = performance.now();
  const status = await station.sync.syncNow();
  const seconds = (performance.now() - started) / 1000;

  const check = new Client({ connectionString: database.url });
  await check.connect();
  const counted = async (table: string) =>
    Number((await check.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
  const onServer = {
    devices: await counted('devices'),
    certificates: await counted('certificates'),
    audit: await counted('station_audit'),
  };
  await check.end();
  const local = (table: string) => (station.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const complete =
    onServer.devices === local('devices') &&
    onServer.certificates === local('certificates') &&
    onServer.audit === local('audit_log') &&
    status.queueLength === 0;

  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const rate = records / seconds;
  const baselineRate = records / baselineSeconds;
  console.log(
    `sync now: ${fmt(records)} records in ${seconds.toFixed(1)} s = ${fmt(rate)} records/s (target: under 30 s: ${seconds < 30 ? 'met' : 'NOT MET'})`,
  );
  console.log(
    `push latency (${latencies.length} pushes): p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms`,
  );
  console.log(
    `baseline (same JSON inserted straight into PostgreSQL): ${fmt(baselineRate)} records/s; sync = ${(rate / baselineRate).toFixed(2)}x`,
  );
  console.log(
    `on the server: ${fmt(onServer.devices)} devices, ${fmt(onServer.certificates)} certificates, ${fmt(onServer.audit)} audit entries — ${complete ? 'all of them, once' : 'MISMATCH with the station'}`,
  );
  await station.close();
  await server.close();
  if (!complete) process.exitCode = 1;
} finally {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
