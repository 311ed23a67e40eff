import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { syncPaths } from '../../sync-protocol';
import { permissions, type Permission } from '../../server/auth/permissions';
import { routeTable } from '../../server/routes/table';
import type { Route } from '../../server/routes/route';
import { createAdministrator } from '../../server/start-server';
import { api, count, enrolStation, errorCode, errorMessage, startTestServer, type ApiAnswer } from '../helpers/server';

const server = await startTestServer();
const station = await enrolStation(server);

/** A route's path with its placeholders filled with IDs that exist nowhere. */
const concrete = (route: Route) => route.path.replace(/\{[A-Za-z]+\}/g, () => randomUUID());
const callRoute = (route: Route, token: string | undefined): Promise<ApiAnswer> =>
  api(server.url, route.method, concrete(route), { token, ...(route.body ? { body: {} } : {}) });

async function serviceUser(name: string, granted: readonly Permission[]): Promise<{ id: string; token: string }> {
  const user = await server.call<{ id: string }>('POST', '/api/v1/service-users', {
    body: { name, permissions: granted },
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const token = await server.call<{ token: string }>('POST', '/api/v1/tokens', {
    body: { name: `${name} token`, forUserId: user.body.id },
  });
  assert.equal(token.status, 201, JSON.stringify(token.body));
  return { id: user.body.id, token: token.body.token };
}

async function refusals(actor: string, subject: string): Promise<number> {
  return count(server.db, 'server_audit', `action = 'call.refused' AND actor = $1 AND subject = $2`, [actor, subject]);
}

const guarded = routeTable.filter((route) => route.access !== 'public');

describe('central server: every guarded route in the route table', () => {
  it('has guarded routes of every kind to check', () => {
    const kinds = new Set(guarded.map((r) => r.access));
    for (const kind of ['station', 'user', ...permissions]) assert.ok(kinds.has(kind as Route['access']), kind);
  });

  for (const route of guarded) {
    const name = `${route.method} ${route.path} (${route.access})`;

    it(`${name}: 401 without a bearer or with an unknown one`, async () => {
      for (const token of [undefined, 'tlt_nope', 'tls_nope', 'tle_nope', 'garbage']) {
        const answer = await callRoute(route, token);
        assert.equal(answer.status, 401, `${token ?? 'no bearer'}: ${JSON.stringify(answer.body)}`);
        assert.equal(errorCode(answer), 'UNAUTHENTICATED');
      }
    });

    it(`${name}: the right caller gets past the guard`, async () => {
      const answer = await callRoute(route, route.access === 'station' ? station.credential : server.adminToken);
      assert.ok(![401, 403].includes(answer.status), `${answer.status}: ${JSON.stringify(answer.body)}`);
    });

    if (route.access === 'station') {
      it(`${name}: 403 for an API token, audited`, async () => {
        const answer = await callRoute(route, server.adminToken);
        assert.equal(answer.status, 403);
        assert.equal(errorCode(answer), 'PERMISSION_DENIED');
        assert.ok((await refusals('admin', `${route.method} ${route.path}`)) >= 1);
      });
    } else {
      it(`${name}: 403 for a station credential`, async () => {
        const answer = await callRoute(route, station.credential);
        assert.equal(answer.status, 403);
        assert.equal(errorCode(answer), 'PERMISSION_DENIED');
      });
    }

    const required = route.access;
    if (required !== 'station' && required !== 'user' && required !== 'public') {
      it(`${name}: 403 for a user holding every other permission, audited as call.refused`, async () => {
        const userName = `lacks-${required}-${route.method}-${randomUUID().slice(0, 8)}`;
        const lacking = await serviceUser(
          userName,
          permissions.filter((p) => p !== required),
        );
        const answer = await callRoute(route, lacking.token);
        assert.equal(answer.status, 403, JSON.stringify(answer.body));
        assert.equal(errorCode(answer), 'PERMISSION_DENIED');
        assert.equal(await refusals(userName, `${route.method} ${route.path}`), 1);
      });
    }
  }
});

describe('central server: API tokens', () => {
  it('refuses an expired token with TOKEN_EXPIRED and a revoked one with TOKEN_REVOKED', async () => {
    const minted = await server.call<{ id: string; token: string; prefix: string }>('POST', '/api/v1/tokens', {
      body: { name: 'short-lived', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    assert.equal(minted.status, 201);
    assert.ok(minted.body.token.startsWith('tlt_'));
    assert.ok(minted.body.token.startsWith(minted.body.prefix));
    assert.equal((await api(server.url, 'GET', '/api/v1/devices', { token: minted.body.token })).status, 200);
    // Only the hash is stored.
    assert.equal(await count(server.db, 'api_tokens', 'token_hash = $1', [minted.body.token]), 0);

    await server.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      minted.body.id,
    ]);
    const expired = await api(server.url, 'GET', '/api/v1/devices', { token: minted.body.token });
    assert.equal(expired.status, 401);
    assert.equal(errorCode(expired), 'TOKEN_EXPIRED');

    const other = await server.call<{ id: string; token: string }>('POST', '/api/v1/tokens', { body: { name: 'x' } });
    assert.equal((await server.call('DELETE', `/api/v1/tokens/${other.body.id}`)).status, 200);
    const revoked = await api(server.url, 'GET', '/api/v1/devices', { token: other.body.token });
    assert.equal(revoked.status, 401);
    assert.equal(errorCode(revoked), 'TOKEN_REVOKED');

    const past = await server.call('POST', '/api/v1/tokens', {
      body: { name: 'past', expiresAt: '2020-01-01T00:00:00Z' },
    });
    assert.equal(past.status, 400);
  });

  it("acts as a service user with only the service user's permissions, logged under its name", async () => {
    const reader = await serviceUser('exporter', ['records.view', 'config.manage']);
    const created = await api<{ id: string }>(server.url, 'POST', '/api/v1/device-groups', {
      token: reader.token,
      body: { name: 'From the exporter' },
    });
    assert.equal(created.status, 201);
    assert.equal(
      await count(
        server.db,
        'server_audit',
        `action = 'config.group-created' AND actor = 'exporter' AND subject = $1`,
        [created.body.id],
      ),
      1,
    );
    const refused = await api(server.url, 'POST', '/api/v1/stations', { token: reader.token, body: { name: 'x' } });
    assert.equal(refused.status, 403);
    assert.equal(await refusals('exporter', 'POST /api/v1/stations'), 1);

    // A service user without users.manage mints no tokens, not even for itself.
    const selfMint = await api(server.url, 'POST', '/api/v1/tokens', { token: reader.token, body: { name: 'mine' } });
    assert.equal(selfMint.status, 403);
    const lastUsed = await server.db.query<{ last_used_at: Date | null }>(
      `SELECT t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.name = 'exporter'`,
    );
    assert.ok(lastUsed.rows[0]?.last_used_at, 'last use is recorded');
  });

  it('records a token’s last use at most once a minute', async () => {
    const minted = await server.call<{ id: string; token: string }>('POST', '/api/v1/tokens', {
      body: { name: 'last-used' },
    });
    assert.equal(minted.status, 201);
    const lastUsed = async () =>
      (
        await server.db.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [
          minted.body.id,
        ])
      ).rows[0]?.last_used_at ?? null;
    const use = async () =>
      assert.equal((await api(server.url, 'GET', '/api/v1/devices', { token: minted.body.token })).status, 200);

    assert.equal(await lastUsed(), null);
    await use();
    assert.ok(await lastUsed(), 'the first use is recorded');
    // Within the minute, a use writes nothing.
    const recent = new Date(Date.now() - 30_000);
    await server.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [minted.body.id, recent]);
    await use();
    await use();
    assert.equal((await lastUsed())?.getTime(), recent.getTime());
    // Older than a minute, the next use records again.
    const stale = new Date(Date.now() - 90_000);
    await server.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [minted.body.id, stale]);
    await use();
    const fresh = await lastUsed();
    assert.ok(fresh && fresh.getTime() > Date.now() - 30_000, `recorded anew: ${String(fresh)}`);
  });

  it('lets a user manager grant, to a service user and its tokens, only permissions they hold', async () => {
    const manager = await serviceUser('manager', ['users.manage', 'records.view']);
    const asManager = <T = unknown>(path: string, body: unknown) =>
      api<T>(server.url, 'POST', path, { token: manager.token, body });

    // Creating a service user with more than the manager holds: refused, audited, nothing created.
    const escalated = await asManager('/api/v1/service-users', {
      name: 'escalated',
      permissions: ['records.view', 'stations.manage'],
    });
    assert.equal(escalated.status, 403, JSON.stringify(escalated.body));
    assert.equal(errorCode(escalated), 'PERMISSION_DENIED');
    assert.match(errorMessage(escalated) ?? '', /stations\.manage/);
    assert.equal(await refusals('manager', 'POST /api/v1/service-users'), 1);
    assert.equal(await count(server.db, 'users', `name = 'escalated'`), 0);

    // Within the manager's own permissions: allowed, and so is a token for it.
    const reader = await asManager<{ id: string }>('/api/v1/service-users', {
      name: 'reader',
      permissions: ['records.view'],
    });
    assert.equal(reader.status, 201, JSON.stringify(reader.body));
    const readerToken = await asManager('/api/v1/tokens', { name: 'reader token', forUserId: reader.body.id });
    assert.equal(readerToken.status, 201, JSON.stringify(readerToken.body));

    // A token for a service user holding more than the manager: refused, audited, nothing minted.
    const powerful = await server.call<{ id: string }>('POST', '/api/v1/service-users', {
      body: { name: 'powerful', permissions: ['stations.manage'] },
    });
    assert.equal(powerful.status, 201);
    const minted = await asManager('/api/v1/tokens', { name: 'stolen', forUserId: powerful.body.id });
    assert.equal(minted.status, 403, JSON.stringify(minted.body));
    assert.equal(errorCode(minted), 'PERMISSION_DENIED');
    assert.equal(await refusals('manager', 'POST /api/v1/tokens'), 1);
    assert.equal(await count(server.db, 'api_tokens', 'user_id = $1', [powerful.body.id]), 0);
  });

  it("acts as a person with the person's permissions as they are at each call, logged under the person", async () => {
    const bob = await createAdministrator(server.databaseUrl, 'bob');
    await assert.rejects(createAdministrator(server.databaseUrl, 'bob'), /already exists/);
    const own = await api<{ token: string }>(server.url, 'POST', '/api/v1/tokens', {
      token: bob.token,
      body: { name: 'laptop' },
    });
    assert.equal(own.status, 201);
    const group = await api<{ id: string }>(server.url, 'POST', '/api/v1/device-groups', {
      token: own.body.token,
      body: { name: 'Bob group' },
    });
    assert.equal(group.status, 201);
    assert.equal(
      await count(server.db, 'server_audit', `action = 'config.group-created' AND actor = 'bob' AND subject = $1`, [
        group.body.id,
      ]),
      1,
    );
    await server.db.query(`UPDATE users SET permissions = '{records.view}' WHERE name = 'bob'`);
    const now = await api(server.url, 'POST', '/api/v1/device-groups', {
      token: own.body.token,
      body: { name: 'Bob group 2' },
    });
    assert.equal(now.status, 403, 'a permission taken away holds at the next call');

    // Without users.manage: own tokens only, and none for a service user.
    const listed = await api<{ items: { userName: string }[] }>(server.url, 'GET', '/api/v1/tokens', {
      token: own.body.token,
    });
    assert.deepEqual([...new Set(listed.body.items.map((t) => t.userName))], ['bob']);
    const users = await server.call<{ items: { id: string; name: string }[] }>('GET', '/api/v1/users');
    const exporter = users.body.items.find((u) => u.name === 'exporter');
    assert.ok(exporter);
    const forService = await api(server.url, 'POST', '/api/v1/tokens', {
      token: own.body.token,
      body: { name: 'sneaky', forUserId: exporter.id },
    });
    assert.equal(forService.status, 403);
    // Not even a user manager mints a token acting as another person.
    const asBob = await server.call('POST', '/api/v1/tokens', { body: { name: 'as bob', forUserId: bob.userId } });
    assert.equal(asBob.status, 403);
    // Someone else's token is not theirs to revoke.
    const adminTokens = await server.call<{ items: { id: string; userName: string }[] }>('GET', '/api/v1/tokens');
    const adminToken = adminTokens.body.items.find((t) => t.userName === 'admin');
    assert.ok(adminToken);
    const revoke = await api(server.url, 'DELETE', `/api/v1/tokens/${adminToken.id}`, { token: own.body.token });
    assert.equal(revoke.status, 404);
  });
});

describe('central server: stations', () => {
  it('spends an enrolment token once; a second use is ENROLMENT_TOKEN_INVALID', async () => {
    const created = await server.call<{ station: { id: string; status: string }; enrolmentToken: string }>(
      'POST',
      '/api/v1/stations',
      { body: { name: 'line-9' } },
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.station.status, 'pending');
    assert.ok(created.body.enrolmentToken.startsWith('tle_'));
    const enrol = () =>
      api<{ stationId: string; credential: string }>(server.url, 'POST', syncPaths.enrol, {
        body: { enrolmentToken: created.body.enrolmentToken, stationName: 'line-9.local' },
      });
    const first = await enrol();
    assert.equal(first.status, 200);
    assert.equal(first.body.stationId, created.body.station.id);
    assert.ok(first.body.credential.startsWith('tls_'));
    const second = await enrol();
    assert.equal(second.status, 401);
    assert.equal(errorCode(second), 'ENROLMENT_TOKEN_INVALID');
    assert.equal(
      await count(server.db, 'server_audit', `action = 'station.enrolled' AND subject = $1`, [first.body.stationId]),
      1,
    );

    // The enrolment token is no bearer credential.
    const asBearer = await api(server.url, 'GET', syncPaths.state, { token: created.body.enrolmentToken });
    assert.equal(errorCode(asBearer), 'UNAUTHENTICATED');
  });

  it('refuses an expired enrolment token', async () => {
    const created = await server.call<{ station: { id: string }; enrolmentToken: string }>('POST', '/api/v1/stations', {
      body: { name: 'line-10' },
    });
    await server.db.query(`UPDATE stations SET enrolment_expires_at = now() - interval '1 second' WHERE id = $1`, [
      created.body.station.id,
    ]);
    const answer = await api(server.url, 'POST', syncPaths.enrol, {
      body: { enrolmentToken: created.body.enrolmentToken, stationName: 'late' },
    });
    assert.equal(errorCode(answer), 'ENROLMENT_TOKEN_INVALID');
  });

  it('answers STATION_REVOKED to a revoked station on every station route', async () => {
    const doomed = await enrolStation(server, 'doomed');
    assert.equal((await server.call('POST', `/api/v1/stations/${doomed.stationId}/revoke`)).status, 200);
    for (const path of [syncPaths.state, syncPaths.config]) {
      const answer = await api(server.url, 'GET', path, { token: doomed.credential });
      assert.equal(answer.status, 401);
      assert.equal(errorCode(answer), 'STATION_REVOKED');
    }
    assert.equal(
      await count(server.db, 'server_audit', `action = 'station.revoked' AND subject = $1`, [doomed.stationId]),
      1,
    );
  });
});
