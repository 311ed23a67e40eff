import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallContext } from '../../main/core/api/call-context';
import { createDispatcher, type Handlers } from '../../main/core/api/dispatcher';
import { StationError } from '../../main/core/errors/station-error';
import { permissions } from '../../preload/contract';

const groupId = '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a';
const everything: CallContext = { actor: 'test', permissions: new Set(permissions) };

/** Handlers that record what reached them: a rejected call must never arrive here. */
function recordingHandlers() {
  const reached: string[] = [];
  const group = { id: groupId, name: 'G', description: '', deviceCount: 0, createdAt: 'x', updatedAt: 'x' };
  const handler =
    (name: string, value: unknown = group) =>
    () => {
      reached.push(name);
      return value;
    };
  const handlers = {
    'deviceGroups.list': handler('deviceGroups.list', [group]),
    'deviceGroups.create': handler('deviceGroups.create'),
    'deviceGroups.rename': handler('deviceGroups.rename'),
    'deviceGroups.delete': handler('deviceGroups.delete', { id: groupId }),
    'devices.list': handler('devices.list', { items: [], total: 0, nextCursor: null }),
    'devices.get': () => {
      throw new StationError('DEVICE_NOT_FOUND', 'gone', { step: 'get-device' });
    },
    'devices.register': handler('devices.register', { not: 'a device' }),
    'devices.setStatus': handler('devices.setStatus'),
    'devices.delete': handler('devices.delete'),
  } as unknown as Handlers;
  return { handlers, reached };
}

describe('dispatcher', () => {
  it('runs a valid call and returns its value', async () => {
    const { handlers, reached } = recordingHandlers();
    const result = await createDispatcher(handlers)('deviceGroups.create', { name: 'Gateways' }, everything);
    assert.equal(result.ok, true);
    assert.deepEqual(reached, ['deviceGroups.create']);
  });

  it('rejects unknown calls with UNKNOWN_CALL', async () => {
    const { handlers, reached } = recordingHandlers();
    const dispatch = createDispatcher(handlers);
    for (const name of ['devices.drop', 'constructor', '__proto__', 7, null]) {
      const result = await dispatch(name, {}, everything);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.code, 'UNKNOWN_CALL');
    }
    assert.deepEqual(reached, []);
  });

  it('rejects malformed input and wrong types before the handler runs', async () => {
    const { handlers, reached } = recordingHandlers();
    const dispatch = createDispatcher(handlers);
    for (const input of [
      null,
      'name',
      { name: 42 },
      { name: '' },
      { name: 'x', extra: true },
      { name: 'x'.repeat(500) },
    ]) {
      const result = await dispatch('deviceGroups.create', input, everything);
      assert.equal(!result.ok && result.error.code, 'INVALID_INPUT', JSON.stringify(input));
    }
    assert.deepEqual(reached, []);
  });

  it('lists each invalid field by path', async () => {
    const { handlers } = recordingHandlers();
    const result = await createDispatcher(handlers)(
      'devices.register',
      { name: '', groupId: 'nope', attributes: { mac: 5 } },
      everything,
    );
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : (result.error.issues ?? []).map((i) => i.path).sort();
    assert.deepEqual(paths, ['attributes.mac', 'groupId', 'name']);
  });

  it('refuses a caller without the permission', async () => {
    const { handlers, reached } = recordingHandlers();
    const viewer: CallContext = { actor: 'viewer', permissions: new Set(['devices.view', 'deviceGroups.view']) };
    const dispatch = createDispatcher(handlers);
    const denied = await dispatch('deviceGroups.create', { name: 'G' }, viewer);
    assert.equal(!denied.ok && denied.error.code, 'PERMISSION_DENIED');
    const allowed = await dispatch('deviceGroups.list', {}, viewer);
    assert.equal(allowed.ok, true);
    assert.deepEqual(reached, ['deviceGroups.list']);
  });

  it('passes station errors through with their code and step', async () => {
    const { handlers } = recordingHandlers();
    const result = await createDispatcher(handlers)('devices.get', { id: groupId }, everything);
    assert.deepEqual(result, { ok: false, error: { code: 'DEVICE_NOT_FOUND', message: 'gone', step: 'get-device' } });
  });

  it('turns a handler answer outside the contract into INTERNAL', async () => {
    const { handlers } = recordingHandlers();
    const originalError = console.error;
    console.error = () => undefined;
    try {
      const result = await createDispatcher(handlers)(
        'devices.register',
        { name: 'd', groupId, attributes: {} },
        everything,
      );
      assert.equal(!result.ok && result.error.code, 'INTERNAL');
    } finally {
      console.error = originalError;
    }
  });
});
