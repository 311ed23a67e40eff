import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { syncPaths, type PushRequest, type PushResponse } from '../../sync-protocol';
import { migrations } from '../../server/db/migrations';
import { createAdministrator, startServer } from '../../server/start-server';
import { createTestDatabase, testPool } from '../helpers/postgres';
import { api, count, errorCode, errorDetails, pushOf, sample, type ApiAnswer } from '../helpers/server';

const database = await createTestDatabase();
// Two instances starting at once on an empty database: both run the migrations.
const instances = await Promise.all([0, 1].map(() => startServer({ databaseUrl: database.url, port: 0 })));
const db = testPool(database.url);
after(async () => {
  await Promise.all(instances.map((i) => i.close()));
  await db.end();
  await database.drop();
});
const { token } = await createAdministrator(database.url, 'admin');
const urls = instances.map((i) => i.url);
const anyInstance = () => urls[randomInt(urls.length)]!;

interface Plan {
  stationId: string;
  credential: string;
  pushes: PushRequest[];
  total: number;
  devices: Map<string, string>;
  certificates: number;
  audit: number;
}

/** A station's whole outbox as pushes of 50: devices updated again and again, certificates, jobs, one audit chain. */
function plan(stationId: string, credential: string, pushCount: number): Plan {
  const deviceIds = Array.from({ length: 40 }, () => randomUUID());
  const devices = new Map<string, string>();
  let certificates = 0;
  let audit = 0;
  let prevHash = '0'.repeat(64);
  const pushes: PushRequest[] = [];
  let seq = 1;
  for (let p = 0; p < pushCount; p++) {
    const entries: Parameters<typeof pushOf>[2] = [];
    for (let i = 0; i < 50; i++, seq++) {
      if (seq % 5 === 0) {
        const [entry] = sample.auditChain(1, ++audit, prevHash);
        prevHash = entry!.hash;
        entries.push({ kind: 'audit', record: entry! });
      } else if (seq % 5 === 1) {
        certificates++;
        entries.push({ kind: 'certificate', record: sample.certificate() });
      } else if (seq % 7 === 0) {
        entries.push({ kind: 'job', record: sample.job({ id: stationId }) });
      } else {
        const id = deviceIds[randomInt(deviceIds.length)]!;
        devices.set(id, `seq ${seq}`);
        entries.push({ kind: 'device', record: sample.device({ id, name: `dev-${id}`, description: `seq ${seq}` }) });
      }
    }
    pushes.push(pushOf(stationId, seq - 50, entries));
  }
  return { stationId, credential, pushes, total: seq - 1, devices, certificates, audit };
}

/**
 * One sender behaving like a station that loses answers: it mostly sends the next push, sometimes
 * one it already sent, sometimes one too far ahead, each to either instance, and resumes from the
 * mark the server answers. Returns every successful answer.
 */
async function sender(station: Plan): Promise<PushResponse[]> {
  const answers: PushResponse[] = [];
  const indexAfter = (appliedThrough: number) => Math.floor(appliedThrough / 50);
  let next = 0;
  for (let attempts = 0; attempts < 2000; attempts++) {
    const roll = randomInt(10);
    const index = Math.min(station.pushes.length - 1, Math.max(0, roll < 2 ? next + 1 : roll < 4 ? next - 1 : next));
    const answer: ApiAnswer<PushResponse> = await api(anyInstance(), 'POST', syncPaths.push, {
      token: station.credential,
      body: station.pushes[index],
    });
    if (answer.status === 200) {
      answers.push(answer.body);
      if (answer.body.appliedThrough === station.total) return answers;
      next = indexAfter(answer.body.appliedThrough);
    } else {
      assert.equal(errorCode(answer), 'SYNC_GAP', JSON.stringify(answer.body));
      next = indexAfter((errorDetails(answer) as { appliedThrough: number }).appliedThrough);
    }
  }
  throw new Error('sender did not finish');
}

describe('central server: two instances on one database', () => {
  it('ran each migration exactly once although both instances started at once', async () => {
    assert.equal(await count(db, 'schema_migrations'), migrations.length);
    for (const url of urls) assert.equal((await api(url, 'GET', '/healthz')).status, 200);
  });

  it('applies every record exactly once under concurrent, interleaved and retried pushes to both', async () => {
    const stations: Plan[] = [];
    for (const name of ['line-a', 'line-b']) {
      const created = await api<{ enrolmentToken: string }>(anyInstance(), 'POST', '/api/v1/stations', {
        token,
        body: { name },
      });
      const enrolled = await api<{ stationId: string; credential: string }>(anyInstance(), 'POST', syncPaths.enrol, {
        body: { enrolmentToken: created.body.enrolmentToken, stationName: name },
      });
      stations.push(plan(enrolled.body.stationId, enrolled.body.credential, 30));
    }

    const results = await Promise.all(stations.map((s) => Promise.all([sender(s), sender(s), sender(s)])));

    for (const [i, station] of stations.entries()) {
      const answers = results[i]!.flat();
      const applied = answers.reduce((sum, a) => sum + a.applied, 0);
      assert.equal(applied, station.total, 'the applied counts add up to the outbox exactly once');
      assert.ok(
        answers.some((a) => a.duplicates > 0),
        'redeliveries happened',
      );
      const state = await api<{ appliedThrough: number }>(urls[i % 2]!, 'GET', syncPaths.state, {
        token: station.credential,
      });
      assert.equal(state.body.appliedThrough, station.total);

      const where = 'station_id = $1';
      assert.equal(await count(db, 'devices', where, [station.stationId]), station.devices.size);
      assert.equal(await count(db, 'certificates', where, [station.stationId]), station.certificates);
      assert.equal(await count(db, 'station_audit', where, [station.stationId]), station.audit);
      assert.equal(await count(db, 'jobs', where, [station.stationId]), 1);
      const { rows } = await db.query<{ id: string; description: string }>(
        'SELECT id, description FROM devices WHERE station_id = $1',
        [station.stationId],
      );
      for (const row of rows) assert.equal(row.description, station.devices.get(row.id), 'the latest snapshot won');
    }
  });
});
