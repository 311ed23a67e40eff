import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxRecordsPerPush, maxRequestBytes, syncPaths, type PushResponse } from '../../sync-protocol';
import {
  api,
  count,
  enrolStation,
  errorCode,
  errorDetails,
  errorMessage,
  pushOf,
  sample,
  startTestServer,
  type TestServer,
} from '../helpers/server';

const server: TestServer = await startTestServer();
const station = await enrolStation(server);

describe('central server: applying pushes', () => {
  const push = (body: unknown) =>
    api<PushResponse>(server.url, 'POST', syncPaths.push, { token: station.credential, body });
  const state = async () =>
    (await api<{ appliedThrough: number }>(server.url, 'GET', syncPaths.state, { token: station.credential })).body
      .appliedThrough;

  it('applies a push of every kind, and a redelivery only counts duplicates', async () => {
    const device = sample.device();
    const chain = sample.auditChain(2);
    const body = pushOf(station.stationId, 1, [
      { kind: 'device', record: device },
      { kind: 'certificate', record: sample.certificate({ deviceId: device.id }) },
      { kind: 'job', record: sample.job() },
      { kind: 'audit', record: chain[0]! },
      { kind: 'audit', record: chain[1]! },
    ]);
    const first = await push(body);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { appliedThrough: 5, applied: 5, duplicates: 0 });
    const again = await push(body);
    assert.deepEqual(again.body, { appliedThrough: 5, applied: 0, duplicates: 5 });
    assert.equal(await count(server.db, 'devices'), 1);
    assert.equal(await count(server.db, 'certificates'), 1);
    assert.equal(await count(server.db, 'jobs'), 1);
    assert.equal(await count(server.db, 'station_audit'), 2);
    assert.equal(await state(), 5);

    const listed = await server.call<{ items: { id: string; stationId: string }[] }>(
      'GET',
      `/api/v1/devices?stationId=${station.stationId}`,
    );
    assert.deepEqual(
      listed.body.items.map((d) => d.id),
      [device.id],
    );
    const certs = await server.call<{ items: { id: string }[] }>('GET', `/api/v1/certificates?deviceId=${device.id}`);
    assert.equal(certs.body.items.length, 1);
    const cert = await server.call<{ der: string }>('GET', `/api/v1/certificates/${certs.body.items[0]!.id}`);
    assert.equal(cert.body.der, (body.records[1]!.record as { der: string }).der);
  });

  it('applies only the new part of an overlapping push; the last snapshot of an id wins', async () => {
    const device = sample.device({ description: 'v1' });
    assert.equal((await push(pushOf(station.stationId, 6, [{ kind: 'device', record: device }]))).status, 200);
    const overlapping = pushOf(station.stationId, 5, [
      { kind: 'job', record: sample.job() },
      { kind: 'device', record: device },
      { kind: 'device', record: { ...device, description: 'v2' } },
      { kind: 'device', record: { ...device, description: 'v3' } },
    ]);
    // Seq 5 was a different record in the first push: a redelivered seq is skipped whatever it carries.
    const answer = await push(overlapping);
    assert.deepEqual(answer.body, { appliedThrough: 8, applied: 2, duplicates: 2 });
    const stored = await server.call<{ description: string }>('GET', `/api/v1/devices/${device.id}`);
    assert.equal(stored.body.description, 'v3');
    assert.equal(await count(server.db, 'jobs'), 1);
  });

  it('refuses a push that starts beyond the mark with SYNC_GAP and the mark', async () => {
    const answer = await push(pushOf(station.stationId, 20, [{ kind: 'device', record: sample.device() }]));
    assert.equal(answer.status, 409);
    assert.equal(errorCode(answer), 'SYNC_GAP');
    assert.deepEqual(errorDetails(answer), { appliedThrough: 8 });
    assert.equal(await state(), 8);
  });

  it('refuses a push naming another station, applying nothing', async () => {
    const other = await enrolStation(server, 'line-2');
    const devicesBefore = await count(server.db, 'devices');
    const answer = await push(pushOf(other.stationId, 9, [{ kind: 'device', record: sample.device() }]));
    assert.equal(answer.status, 403);
    assert.equal(errorCode(answer), 'STATION_MISMATCH');
    assert.equal(await count(server.db, 'devices'), devicesBefore);
    assert.equal(await state(), 8);
  });

  it("refuses a record whose id belongs to another station's record with CONFLICT, applying nothing", async () => {
    const other = await enrolStation(server, 'line-3');
    const theirs = sample.certificate();
    const pushed = await api(server.url, 'POST', syncPaths.push, {
      token: other.credential,
      body: pushOf(other.stationId, 1, [{ kind: 'certificate', record: theirs }]),
    });
    assert.equal(pushed.status, 200);
    const mine = sample.device();
    const answer = await push(
      pushOf(station.stationId, 9, [
        { kind: 'device', record: mine },
        { kind: 'certificate', record: { ...theirs, subject: 'CN=stolen' } },
      ]),
    );
    assert.equal(answer.status, 409);
    assert.equal(errorCode(answer), 'CONFLICT');
    assert.equal(await count(server.db, 'devices', 'id = $1', [mine.id]), 0);
    assert.equal(await count(server.db, 'certificates', `subject = 'CN=stolen'`), 0);
    assert.equal(await state(), 8);

    const theirDevice = sample.device();
    await api(server.url, 'POST', syncPaths.push, {
      token: other.credential,
      body: pushOf(other.stationId, 2, [{ kind: 'device', record: theirDevice }]),
    });
    const claimed = await push(
      pushOf(station.stationId, 9, [{ kind: 'device', record: { ...theirDevice, name: 'mine' } }]),
    );
    assert.equal(errorCode(claimed), 'CONFLICT');
    assert.deepEqual(errorDetails(claimed), { kind: 'device', id: theirDevice.id });
    assert.equal(await count(server.db, 'devices', `name = 'mine'`), 0);
  });

  it('refuses malformed JSON, schema violations and too many records with 400/413, applying nothing', async () => {
    const malformed = await api(server.url, 'POST', syncPaths.push, {
      token: station.credential,
      rawBody: '{"stationId":',
    });
    assert.equal(malformed.status, 400);
    assert.equal(errorCode(malformed), 'BAD_REQUEST');

    const notContiguous = pushOf(station.stationId, 9, [
      { kind: 'device', record: sample.device() },
      { kind: 'device', record: sample.device() },
    ]);
    notContiguous.records[1]!.seq = 11;
    assert.equal(errorCode(await push(notContiguous)), 'BAD_REQUEST');
    assert.equal(
      errorCode(
        await push({ ...pushOf(station.stationId, 9, [{ kind: 'device', record: sample.device() }]), extra: 1 }),
      ),
      'BAD_REQUEST',
    );
    const badSerial = pushOf(station.stationId, 9, [
      { kind: 'certificate', record: sample.certificate({ serial: 'XYZ' }) },
    ]);
    assert.equal(errorCode(await push(badSerial)), 'BAD_REQUEST');

    const tooMany = pushOf(
      station.stationId,
      9,
      Array.from({ length: maxRecordsPerPush + 1 }, () => ({ kind: 'job' as const, record: sample.job() })),
    );
    const answer = await push(tooMany);
    assert.equal(answer.status, 413);
    assert.equal(errorCode(answer), 'PAYLOAD_TOO_LARGE');
    assert.equal(await count(server.db, 'jobs', 'station_id = $1', [station.stationId]), 1);
    assert.equal(await state(), 8);
  });

  it('refuses a body over maxRequestBytes with 413 before parsing it', async () => {
    const answer = await api(server.url, 'POST', syncPaths.push, {
      token: station.credential,
      rawBody: Buffer.alloc(maxRequestBytes + 1, 0x20),
    });
    assert.equal(answer.status, 413);
    assert.equal(errorCode(answer), 'PAYLOAD_TOO_LARGE');
    // The connection that refused it still serves the next request.
    assert.equal(await state(), 8);
  });

  it('refuses a broken audit chain with 400 naming the seq, applying nothing', async () => {
    const stored = await server.db.query<{ hash: string }>(
      'SELECT hash FROM station_audit WHERE station_id = $1 AND seq = 2',
      [station.stationId],
    );
    const good = sample.auditChain(2, 3, stored.rows[0]!.hash);
    const broken = sample.auditChain(1, 5, 'f'.repeat(64));
    const answer = await push(
      pushOf(station.stationId, 9, [
        { kind: 'audit', record: good[0]! },
        { kind: 'audit', record: good[1]! },
        { kind: 'audit', record: broken[0]! },
      ]),
    );
    assert.equal(answer.status, 400);
    assert.deepEqual(errorDetails(answer), { seq: 11, auditSeq: 5 });
    assert.equal(await count(server.db, 'station_audit', 'station_id = $1', [station.stationId]), 2);

    const unlinked = sample.auditChain(1, 3, 'e'.repeat(64));
    const answer2 = await push(pushOf(station.stationId, 9, [{ kind: 'audit', record: unlinked[0]! }]));
    assert.equal(answer2.status, 400, 'the stored entry 2 is the previous one');

    const ok = await push(
      pushOf(
        station.stationId,
        9,
        good.map((record) => ({ kind: 'audit' as const, record })),
      ),
    );
    assert.deepEqual(ok.body, { appliedThrough: 10, applied: 2, duplicates: 0 });
    const listed = await server.call<{ items: { seq: number }[] }>(
      'GET',
      `/api/v1/audit?stationId=${station.stationId}`,
    );
    assert.deepEqual(
      listed.body.items.map((e) => e.seq),
      [1, 2, 3, 4],
    );
  });

  it('lets the station overwrite a server edit of its device, auditing what was overwritten', async () => {
    const device = sample.device({ description: 'station text', attributes: { serial: 'S1' } });
    await push(pushOf(station.stationId, 11, [{ kind: 'device', record: device }]));
    const edited = await server.call<{ description: string; serverEditedAt: string | null }>(
      'PATCH',
      `/api/v1/devices/${device.id}`,
      { body: { description: 'server text', attributes: { serial: 'S1', rack: '7' } } },
    );
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.description, 'server text');
    assert.ok(edited.body.serverEditedAt);

    await push(pushOf(station.stationId, 12, [{ kind: 'device', record: { ...device, name: 'renamed' } }]));
    const after = await server.call<{ description: string; attributes: unknown; serverEditedAt: string | null }>(
      'GET',
      `/api/v1/devices/${device.id}`,
    );
    assert.equal(after.body.description, 'station text');
    assert.deepEqual(after.body.attributes, { serial: 'S1' });
    assert.equal(after.body.serverEditedAt, null);
    const audit = await server.call<{ items: { subject: string; details: { overwritten: unknown } }[] }>(
      'GET',
      '/api/v1/server-audit?action=device.server-edit-overwritten',
    );
    assert.equal(audit.body.items.length, 1);
    assert.equal(audit.body.items[0]!.subject, device.id);
    assert.deepEqual(audit.body.items[0]!.details.overwritten, {
      description: 'server text',
      attributes: { serial: 'S1', rack: '7' },
    });

    const untouched = sample.device();
    await push(pushOf(station.stationId, 13, [{ kind: 'device', record: untouched }]));
    await server.call('PATCH', `/api/v1/devices/${untouched.id}`, { body: { description: 'kept' } });
    await push(pushOf(station.stationId, 14, [{ kind: 'job', record: sample.job() }]));
    const kept = await server.call<{ description: string }>('GET', `/api/v1/devices/${untouched.id}`);
    assert.equal(kept.body.description, 'kept', 'an edit the station never overwrites stays');
  });

  it('refuses text the database cannot store (NUL) with 400 BAD_REQUEST, applying nothing', async () => {
    const before = await state();
    const devicesBefore = await count(server.db, 'devices');
    for (const bad of [
      sample.device({ attributes: { serial: 'S\u00002' } }),
      sample.device({ description: 'nul \u0000 inside' }),
    ]) {
      const fine = sample.device();
      const answer = await push(
        pushOf(station.stationId, before + 1, [
          { kind: 'device', record: fine },
          { kind: 'device', record: bad },
        ]),
      );
      // A 500 would have the station retry a push that can never succeed.
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(errorCode(answer), 'BAD_REQUEST');
      const message = errorMessage(answer) ?? '';
      assert.match(message, /NUL/);
      assert.doesNotMatch(message, /INSERT|SELECT|jsonb|at .*\.ts/);
      assert.equal(await count(server.db, 'devices', 'id = ANY($1::uuid[])', [[fine.id, bad.id]]), 0);
    }
    assert.equal(await count(server.db, 'devices'), devicesBefore);
    assert.equal(await state(), before);
  });

  it('pages the device list with a cursor and filters by name', async () => {
    const all: string[] = [];
    let after: string | null = '';
    while (after !== null) {
      const page: { status: number; body: { items: { id: string }[]; next: string | null } } = await server.call(
        'GET',
        `/api/v1/devices?limit=2${after ? `&after=${after}` : ''}`,
      );
      assert.equal(page.status, 200);
      all.push(...page.body.items.map((d) => d.id));
      after = page.body.next;
    }
    assert.equal(all.length, await count(server.db, 'devices'));
    assert.deepEqual(all, [...all].sort());
    const named = await server.call<{ items: { name: string }[] }>('GET', '/api/v1/devices?name=RENAM');
    assert.deepEqual(
      named.body.items.map((d) => d.name),
      ['renamed'],
    );
    assert.equal((await server.call('GET', '/api/v1/devices?limit=501')).status, 400);
  });

  it('serves config changed since a version', async () => {
    const pull = async (since: number) =>
      (
        await api<{
          version: number;
          deviceGroups: { name: string; deletedAt: string | null }[];
          policies: { name: string }[];
        }>(server.url, 'GET', `${syncPaths.config}?since=${since}`, { token: station.credential })
      ).body;
    assert.deepEqual(await pull(0), { version: 0, deviceGroups: [], policies: [] });
    const group = await server.call<{ id: string; version: number }>('POST', '/api/v1/device-groups', {
      body: { name: 'Gateways' },
    });
    assert.equal(group.status, 201);
    const policy = await server.call<{ id: string; version: number }>('POST', '/api/v1/policies', {
      body: { name: 'TLS client', issuingCaId: '5f0c7a8e-3b7a-4c55-9a43-2d1f0e6b8c11', body: { validityDays: 365 } },
    });
    assert.equal(policy.status, 201);
    const everything = await pull(0);
    assert.equal(everything.version, policy.body.version);
    assert.equal(everything.deviceGroups.length, 1);
    assert.equal(everything.policies.length, 1);
    assert.deepEqual(await pull(everything.version), { version: everything.version, deviceGroups: [], policies: [] });

    assert.equal((await server.call('DELETE', `/api/v1/device-groups/${group.body.id}`)).status, 200);
    const changed = await pull(everything.version);
    assert.equal(changed.policies.length, 0);
    assert.equal(changed.deviceGroups.length, 1);
    assert.ok(changed.deviceGroups[0]!.deletedAt);
    assert.ok(changed.version > everything.version);
    const put = await server.call<{ name: string }>('PUT', `/api/v1/policies/${policy.body.id}`, {
      body: { name: 'TLS' },
    });
    assert.equal(put.body.name, 'TLS');
    assert.deepEqual(
      (await pull(changed.version)).policies.map((p) => p.name),
      ['TLS'],
    );
  });

  it('answers STATION_REVOKED once the station is revoked', async () => {
    const revoked = await server.call('POST', `/api/v1/stations/${station.stationId}/revoke`);
    assert.equal(revoked.status, 200);
    const answer = await push(pushOf(station.stationId, 15, [{ kind: 'job', record: sample.job() }]));
    assert.equal(answer.status, 401);
    assert.equal(errorCode(answer), 'STATION_REVOKED');
    const stations = await server.call<{ items: { id: string; status: string; appliedThrough: number }[] }>(
      'GET',
      '/api/v1/stations',
    );
    const listed = stations.body.items.find((s) => s.id === station.stationId);
    assert.equal(listed?.status, 'revoked');
    assert.equal(listed?.appliedThrough, 14);
  });
});
