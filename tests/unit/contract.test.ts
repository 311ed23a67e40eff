import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  callNames,
  calls,
  errorCodes,
  eventNames,
  isCallName,
  listDevicesInput,
  parseAttributeFilter,
  permissions,
  registerDeviceInput,
} from '../../preload/contract';
import { httpStatusFor } from '../../main/core/bridge/http-status';

describe('contract', () => {
  it('gives every call a declared permission; only sign-in and the first-run step are public', () => {
    const open: string[] = [];
    for (const name of callNames) {
      const access = calls[name].permission;
      if (access === 'public') open.push(name);
      else assert.ok(permissions.includes(access), name);
    }
    assert.deepEqual(open.sort(), [
      'auth.lock',
      'auth.setupFirstAdmin',
      'auth.signIn',
      'auth.signOut',
      'auth.state',
      'auth.unlock',
    ]);
  });

  it('knows its own names and nothing else, including inherited properties', () => {
    assert.equal(isCallName('devices.list'), true);
    assert.equal(isCallName('devices.drop'), false);
    assert.equal(isCallName('toString'), false);
    assert.equal(isCallName('__proto__'), false);
    assert.equal(isCallName(42), false);
  });

  it('declares the inventory, CA, policy, certificate, line, job and sync events', () => {
    assert.deepEqual([...eventNames].sort(), [
      'cas.changed',
      'certificates.issued',
      'deviceGroups.changed',
      'devices.changed',
      'jobs.changed',
      'line.changed',
      'policies.changed',
      'recipes.changed',
      'sync.changed',
    ]);
  });

  it('maps every error code to an HTTP status', () => {
    for (const code of errorCodes) assert.ok(httpStatusFor(code) >= 400, code);
  });

  it('parses key=value attribute filters, splitting on the first "=" only', () => {
    assert.deepEqual(parseAttributeFilter('mac=00:11:22:33:44:55'), { key: 'mac', value: '00:11:22:33:44:55' });
    assert.deepEqual(parseAttributeFilter('chip=YWJj=='), { key: 'chip', value: 'YWJj==' });
    assert.deepEqual(parseAttributeFilter(' serial = 007 '), { key: 'serial', value: '007' });
    assert.equal(parseAttributeFilter('=x'), null);
    assert.equal(parseAttributeFilter('novalue'), null);
    assert.equal(parseAttributeFilter('bad key=1'), null);
  });

  it('keeps attribute values as strings and refuses numbers', () => {
    const ok = registerDeviceInput.safeParse({
      name: 'd',
      groupId: '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a',
      attributes: { serial: '000123' },
    });
    assert.equal(ok.success, true);
    assert.equal(ok.data?.attributes.serial, '000123');
    const bad = registerDeviceInput.safeParse({
      name: 'd',
      groupId: '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a',
      attributes: { serial: 123 },
    });
    assert.equal(bad.success, false);
  });

  it('rejects unknown fields in inputs', () => {
    assert.equal(listDevicesInput.safeParse({ limit: 10, orderBy: 'name; DROP TABLE devices' }).success, false);
  });
});
