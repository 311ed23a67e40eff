import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeTable } from '../../server/routes/table';
import { startServer } from '../../server/start-server';
import { createTestDatabase } from '../helpers/postgres';
import { api, errorCode, startTestServer } from '../helpers/server';

const server = await startTestServer();

interface Operation {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: {
    content: { 'application/json': { schema: { type?: string; properties?: Record<string, unknown> } } };
  };
  responses: Record<string, unknown>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

describe('central server: OpenAPI document and health', () => {
  it('publishes an OpenAPI 3.1 document with every route of the table, its method and its body schema', async () => {
    const answer = await api<Document>(server.url, 'GET', '/openapi.json');
    assert.equal(answer.status, 200);
    const doc = answer.body;
    assert.match(doc.openapi, /^3\.1\./);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual(
      documented.sort(),
      routeTable.map((r) => `${r.method.toLowerCase()} ${r.path}`).sort(),
      'exactly the routes served',
    );
    for (const route of routeTable) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      assert.ok(op, `${route.method} ${route.path}`);
      assert.equal(op.summary, route.summary);
      assert.ok(op.responses[String(route.status)], `${route.method} ${route.path} documents its success answer`);
      assert.equal(route.access === 'public', Array.isArray(op.security) && op.security.length === 0);
      for (const name of [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1])) {
        assert.ok(
          op.parameters?.some((p) => p.in === 'path' && p.name === name),
          `${route.path} documents {${name}}`,
        );
      }
      if (route.body) {
        const schema = op.requestBody?.content['application/json'].schema;
        assert.equal(schema?.type, 'object', `${route.method} ${route.path} documents its body`);
      } else {
        assert.equal(op.requestBody, undefined);
      }
    }
    const operationIds = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    assert.equal(new Set(operationIds).size, routeTable.length, 'one unique operationId per route');
    const push = doc.paths['/api/v1/sync/push']?.post?.requestBody?.content['application/json'].schema;
    assert.deepEqual(Object.keys(push?.properties ?? {}).sort(), ['firstSeq', 'lastSeq', 'records', 'stationId']);
    const devices = doc.paths['/api/v1/devices']?.get?.parameters?.map((p) => p.name) ?? [];
    for (const name of ['limit', 'after', 'stationId', 'groupId', 'name', 'state'])
      assert.ok(devices.includes(name), name);
  });

  it('answers an unknown route with 404 in the error body shape', async () => {
    const answer = await api(server.url, 'GET', '/api/v1/nothing-here');
    assert.equal(answer.status, 404);
    assert.equal(errorCode(answer), 'NOT_FOUND');
    const malformed = await server.call('GET', '/api/v1/devices/%E0%A4%A');
    assert.equal(malformed.status, 404);
    assert.equal(errorCode(malformed), 'NOT_FOUND');
  });

  it('reports health: 200 while the database answers, 503 UNAVAILABLE once it does not', async () => {
    assert.deepEqual((await api(server.url, 'GET', '/healthz')).body, { status: 'ok' });
    const database = await createTestDatabase();
    const doomed = await startServer({ databaseUrl: database.url, port: 0 });
    try {
      assert.equal((await api(doomed.url, 'GET', '/healthz')).status, 200);
      await database.drop();
      const answer = await api(doomed.url, 'GET', '/healthz');
      assert.equal(answer.status, 503);
      assert.equal(errorCode(answer), 'UNAVAILABLE');
    } finally {
      await doomed.close();
    }
  });
});
