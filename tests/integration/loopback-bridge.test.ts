import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type LoopbackBridge, startLoopbackBridge } from '../../main/core/bridge/loopback-bridge';
import type { Station } from '../../main/core/station';
import {
  bridgeSessionHeader,
  bridgeTokenProtocolPrefix,
  type EventEnvelope,
  type SignedIn,
} from '../../preload/contract';
import { callContext, rowCounts, testStation } from '../helpers/station';
import { seedUser } from '../helpers/users';

interface Reply {
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
}

/** A raw HTTP request, so tests can send what a browser never would (bad hosts, bad bodies). */
function send(
  bridge: LoopbackBridge,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: bridge.port, path, method: options.method ?? 'POST', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : { ok: false } });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (bridge: LoopbackBridge, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${bridge.token}`,
  'content-type': 'application/json',
  ...extra,
});

const call = (bridge: LoopbackBridge, name: string, input: unknown) =>
  send(bridge, `/api/call/${name}`, { headers: json(bridge), body: JSON.stringify(input) });

async function setup(): Promise<{ station: Station; bridge: LoopbackBridge }> {
  const station = testStation();
  const bridge = await startLoopbackBridge({
    dispatch: station.dispatch,
    hub: station.hub,
    authenticate: () => callContext,
  });
  after(async () => {
    await bridge.close();
    station.close();
  });
  return { station, bridge };
}

function openSocket(bridge: LoopbackBridge, protocols: string[], origin = bridge.origin): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events`, protocols, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('loopback bridge', () => {
  it('listens on 127.0.0.1 only and prints a URL with a fresh token', async () => {
    const { bridge } = await setup();
    assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    const other = await setup();
    assert.notEqual(other.bridge.token, bridge.token);
  });

  it('runs contract calls end to end', async () => {
    const { bridge } = await setup();
    const created = await call(bridge, 'deviceGroups.create', { name: 'Line 1' });
    assert.equal(created.status, 200);
    assert.equal(created.body.ok, true);
    const listed = await call(bridge, 'deviceGroups.list', {});
    assert.equal((listed.body.value as { name: string }[])[0]?.name, 'Line 1');
  });

  it('refuses calls without the launch token, or with a wrong one', async () => {
    const { station, bridge } = await setup();
    const before = rowCounts(station.db);
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${bridge.token}`, `Bearer ${bridge.token}x`]) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      const reply = await send(bridge, '/api/call/deviceGroups.create', { headers, body: '{"name":"x"}' });
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error?.code, 'UNAUTHENTICATED');
    }
    assert.deepEqual(rowCounts(station.db), before);
  });

  it('rejects unknown calls, malformed bodies and wrong types with typed errors, changing nothing', async () => {
    const { station, bridge } = await setup();
    const before = rowCounts(station.db);
    const cases: [string, { headers?: Record<string, string>; body?: string }, number, string][] = [
      ['/api/call/devices.drop', { body: '{}' }, 404, 'UNKNOWN_CALL'],
      ['/api/call/__proto__', { body: '{}' }, 404, 'UNKNOWN_CALL'],
      ['/api/other', { body: '{}' }, 404, 'UNKNOWN_CALL'],
      ['/api/call/deviceGroups.create', { body: '{"name":' }, 400, 'INVALID_INPUT'],
      ['/api/call/deviceGroups.create', { body: '{"name":42}' }, 400, 'INVALID_INPUT'],
      ['/api/call/deviceGroups.create', { body: '[]' }, 400, 'INVALID_INPUT'],
      ['/api/call/deviceGroups.create', { body: 'null' }, 400, 'INVALID_INPUT'],
      [
        '/api/call/devices.register',
        { body: '{"name":"d","groupId":"7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a","attributes":{"mac":1}}' },
        400,
        'INVALID_INPUT',
      ],
      [
        '/api/call/deviceGroups.create',
        { headers: { 'content-type': 'text/plain' }, body: '{"name":"x"}' },
        400,
        'INVALID_INPUT',
      ],
    ];
    for (const [path, options, status, code] of cases) {
      const reply = await send(bridge, path, { headers: json(bridge, options.headers), body: options.body });
      assert.equal(reply.status, status, `${path} ${options.body}`);
      assert.equal(reply.body.error?.code, code, `${path} ${options.body}`);
    }
    assert.deepEqual(rowCounts(station.db), before);
  });

  it('refuses bodies over 1 MiB', async () => {
    const { station, bridge } = await setup();
    const before = rowCounts(station.db);
    const huge = JSON.stringify({ name: 'x', description: 'y'.repeat(1024 * 1024) });
    const reply = await send(bridge, '/api/call/deviceGroups.create', { headers: json(bridge), body: huge });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error?.code, 'INVALID_INPUT');
    assert.match(reply.body.error?.message ?? '', /larger than/);
    assert.deepEqual(rowCounts(station.db), before);
  });

  it('refuses other hosts (DNS rebinding) and other origins', async () => {
    const { station, bridge } = await setup();
    const before = rowCounts(station.db);
    const body = '{"name":"x"}';
    const rebound = await send(bridge, '/api/call/deviceGroups.create', {
      headers: json(bridge, { host: `evil.example:${bridge.port}` }),
      body,
    });
    assert.equal(rebound.status, 403);
    assert.equal(rebound.body.error?.code, 'FORBIDDEN_ORIGIN');
    const crossSite = await send(bridge, '/api/call/deviceGroups.create', {
      headers: json(bridge, { origin: 'https://evil.example' }),
      body,
    });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.error?.code, 'FORBIDDEN_ORIGIN');
    assert.deepEqual(rowCounts(station.db), before);
  });

  it('pushes contract events over a WebSocket that presents the token', async () => {
    const { bridge } = await setup();
    const ws = await openSocket(bridge, [`${bridgeTokenProtocolPrefix}${bridge.token}`]);
    const received = new Promise<EventEnvelope>((resolve) =>
      ws.once('message', (data) => resolve(JSON.parse(String(data)))),
    );
    const created = await call(bridge, 'deviceGroups.create', { name: 'Line 1' });
    const event = await received;
    assert.equal(event.name, 'deviceGroups.changed');
    assert.deepEqual(event.payload, { change: 'created', ids: [(created.body.value as { id: string }).id] });
    ws.close();
  });

  it('refuses WebSockets without the token or from another origin', async () => {
    const { bridge } = await setup();
    await assert.rejects(openSocket(bridge, []), /401/);
    await assert.rejects(openSocket(bridge, [`${bridgeTokenProtocolPrefix}wrong`]), /401/);
    await assert.rejects(
      openSocket(bridge, [`${bridgeTokenProtocolPrefix}${bridge.token}`], 'https://evil.example'),
      /403/,
    );
  });
});

describe('loopback bridge with users', () => {
  async function setupWithUsers(): Promise<{ station: Station; bridge: LoopbackBridge }> {
    const station = testStation();
    const bridge = await startLoopbackBridge({
      dispatch: station.dispatch,
      hub: station.hub,
      authenticate: (credentials) => station.auth.contextFor(credentials),
    });
    after(async () => {
      await bridge.close();
      await station.close();
    });
    await seedUser(station, {
      username: 'ada',
      roleNames: ['Solution administrator'],
      password: 'a-long-enough-password',
    });
    await seedUser(station, { username: 'olga', roleNames: ['Line operator'], pin: '2580' });
    return { station, bridge };
  }

  const signIn = async (bridge: LoopbackBridge, input: Record<string, string>) => {
    const reply = await call(bridge, 'auth.signIn', input);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.value as SignedIn;
  };
  const asSession = (bridge: LoopbackBridge, session: string, name: string, input: unknown) =>
    send(bridge, `/api/call/${name}`, {
      headers: json(bridge, { [bridgeSessionHeader]: session }),
      body: JSON.stringify(input),
    });
  const asApiToken = (bridge: LoopbackBridge, secret: string, name: string, input: unknown) =>
    send(bridge, `/api/call/${name}`, {
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });

  it('answers public calls to a page that is not signed in and refuses the rest with 401', async () => {
    const { bridge } = await setupWithUsers();
    const state = await call(bridge, 'auth.state', {});
    assert.deepEqual(state.body.value, { setupRequired: false, session: null });
    const listed = await call(bridge, 'devices.list', {});
    assert.equal(listed.status, 401);
    assert.equal(listed.body.error?.code, 'UNAUTHENTICATED');
  });

  it('carries the session in its header; a lower role is refused with 403 and the refusal is audited', async () => {
    const { station, bridge } = await setupWithUsers();
    const olga = await signIn(bridge, { method: 'pin', username: 'olga', pin: '2580' });
    assert.equal((await asSession(bridge, olga.sessionToken, 'line.status', {})).status, 200);
    const forged = await asSession(bridge, olga.sessionToken, 'users.list', {});
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error?.code, 'PERMISSION_DENIED');
    const last = station.db.prepare('SELECT actor, action, subject FROM audit_log ORDER BY seq DESC LIMIT 1').get();
    assert.deepEqual(last, { actor: 'olga', action: 'call.refused', subject: 'users.list' });
    assert.equal((await asSession(bridge, 'not-a-session', 'line.status', {})).status, 401);
  });

  it('takes an API token instead of the launch token, and refuses it once revoked', async () => {
    const { bridge } = await setupWithUsers();
    const ada = await signIn(bridge, { method: 'password', username: 'ada', password: 'a-long-enough-password' });
    const created = await asSession(bridge, ada.sessionToken, 'tokens.create', { name: 'script' });
    const { secret, token } = created.body.value as { secret: string; token: { id: string } };
    const viaToken = await asApiToken(bridge, secret, 'deviceGroups.create', { name: 'From a script' });
    assert.equal(viaToken.status, 200, JSON.stringify(viaToken.body));
    const crossSite = await send(bridge, '/api/call/devices.list', {
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        origin: 'https://evil.example',
      },
      body: '{}',
    });
    assert.equal(crossSite.status, 403, 'a token does not lift the origin check');
    await asSession(bridge, ada.sessionToken, 'tokens.revoke', { id: token.id });
    const revoked = await asApiToken(bridge, secret, 'devices.list', {});
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.error?.code, 'TOKEN_REVOKED');
    assert.equal((await asApiToken(bridge, 'tlt_guess', 'devices.list', {})).body.error?.code, 'UNAUTHENTICATED');
  });
});

describe('loopback bridge: batch job files', () => {
  it('streams an upload in, runs the job, and streams its result out; a role without jobs.run is refused', async () => {
    const station = testStation();
    const bridge = await startLoopbackBridge({
      dispatch: station.dispatch,
      hub: station.hub,
      authenticate: (credentials) => station.auth.contextFor(credentials),
      jobs: {
        stage: (body, maxBytes) => station.jobs.stageStream(body, maxBytes),
        writeResult: (id, out, ctx, begin) => station.jobs.writeResult(id, out, ctx, begin),
      },
    });
    after(async () => {
      await bridge.close();
      await station.close();
    });
    await seedUser(station, { username: 'dana', roleNames: ['Device creator'], password: 'a-long-enough-password' });
    await seedUser(station, { username: 'olga', roleNames: ['Line operator'], pin: '2580' });
    const signIn = async (input: Record<string, string>) =>
      ((await call(bridge, 'auth.signIn', input)).body.value as SignedIn).sessionToken;
    const dana = await signIn({ method: 'password', username: 'dana', password: 'a-long-enough-password' });
    const olga = await signIn({ method: 'pin', username: 'olga', pin: '2580' });
    const listed = await call(bridge, 'deviceGroups.list', {});
    assert.equal(listed.status, 401, 'the launch token alone is not a signed-in person');
    const created0 = await station.dispatch('deviceGroups.create', { name: 'Uploads' }, callContext);
    assert.ok(created0.ok);
    const groupId = (created0.value as { id: string }).id;

    const csv = 'device_name,description\nup-1,first\nup-2,second\n';
    const upload = (session: string) =>
      send(bridge, '/api/upload', {
        headers: { ...json(bridge, { [bridgeSessionHeader]: session }), 'content-type': 'text/csv' },
        body: csv,
      });
    const refused = await upload(olga);
    assert.equal(refused.status, 403);
    const uploaded = await upload(dana);
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    const { uploadId } = uploaded.body.value as { uploadId: string };
    const created = await send(bridge, '/api/call/jobs.create', {
      headers: json(bridge, { [bridgeSessionHeader]: dana }),
      body: JSON.stringify({ uploadId, inputName: 'devices.csv', options: { kind: 'register-devices', groupId } }),
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const jobId = (created.body.value as { id: string }).id;
    await station.jobs.settled(jobId);
    await send(bridge, '/api/call/jobs.start', {
      headers: json(bridge, { [bridgeSessionHeader]: dana }),
      body: JSON.stringify({ id: jobId }),
    });
    const finished = await station.jobs.settled(jobId);
    assert.equal(finished.counts.done, 2);

    const zip = await new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          path: `/api/jobs/${jobId}/result.zip`,
          headers: json(bridge, { [bridgeSessionHeader]: dana }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type']),
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(zip.status, 200);
    assert.equal(zip.type, 'application/zip');
    assert.equal(zip.body.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    assert.ok(zip.body.includes(Buffer.from('results.csv')));
    const audited = station.db.prepare("SELECT actor FROM audit_log WHERE action = 'job.result-downloaded'").get();
    assert.deepEqual(audited, { actor: 'dana' });
  });
});
