import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createDeviceGroup } from '../../main/core/inventory/device-groups.repo';
import { listDevices, registerDevices, setDeviceStatus } from '../../main/core/inventory/devices.repo';
import type { DeviceGroup } from '../../preload/contract';
import { ctx, testStation } from '../helpers/station';

describe('device list', () => {
  const station = testStation();
  let lineA: DeviceGroup;
  let lineB: DeviceGroup;
  let ids: string[] = [];

  before(() => {
    lineA = createDeviceGroup(station.db, { name: 'Line A' }, ctx);
    lineB = createDeviceGroup(station.db, { name: 'Line B' }, ctx);
    ids = registerDevices(
      station.db,
      Array.from({ length: 250 }, (_, i) => ({
        name: `dev-${String(i).padStart(4, '0')}`,
        description: i % 50 === 0 ? 'golden sample' : '',
        groupId: i % 2 === 0 ? lineA.id : lineB.id,
        attributes: { mac: `00:11:22:33:${String(i % 10).padStart(2, '0')}:00`, serial: String(i).padStart(8, '0') },
      })),
      ctx,
    );
    for (const id of ids.slice(0, 30)) setDeviceStatus(station.db, { id, status: 'Disabled' }, ctx);
  });

  it('pages newest first with a cursor, covering every device exactly once', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = listDevices(station.db, { limit: 40, ...(cursor ? { cursor } : {}) });
      assert.equal(page.total, cursor ? null : 250, 'counted on the first page only');
      seen.push(...page.items.map((d) => d.name));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.equal(seen.length, 250);
    assert.equal(new Set(seen).size, 250);
    assert.equal(seen[0], 'dev-0249');
    assert.equal(seen.at(-1), 'dev-0000');
  });

  it('filters by attribute value, and pages through the filtered set', () => {
    const first = listDevices(station.db, { attribute: { key: 'mac', value: '00:11:22:33:07:00' }, limit: 10 });
    assert.equal(first.total, 25);
    assert.ok(first.items.every((d) => d.attributes.mac === '00:11:22:33:07:00'));
    assert.ok(first.nextCursor);
    const rest = listDevices(station.db, {
      attribute: { key: 'mac', value: '00:11:22:33:07:00' },
      limit: 100,
      cursor: first.nextCursor,
    });
    assert.equal(rest.items.length, 15);
    assert.equal(rest.nextCursor, null);
    assert.equal(new Set([...first.items, ...rest.items].map((d) => d.id)).size, 25);
  });

  it('pages through search results by cursor, each match once', () => {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = listDevices(station.db, { search: 'dev-01', limit: 30, ...(cursor ? { cursor } : {}) });
      names.push(...page.items.map((d) => d.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(names.length, 100);
    assert.equal(new Set(names).size, 100);
    assert.ok(names.every((n) => n.startsWith('dev-01')));
    assert.equal(names[0], 'dev-0199');
  });

  it('matches attribute values exactly, leading zeros included', () => {
    assert.equal(listDevices(station.db, { attribute: { key: 'serial', value: '00000007' } }).total, 1);
    assert.equal(listDevices(station.db, { attribute: { key: 'serial', value: '7' } }).total, 0);
  });

  it('filters by group, status and state, and combines filters', () => {
    assert.equal(listDevices(station.db, { groupId: lineA.id }).total, 125);
    assert.equal(listDevices(station.db, { status: 'Disabled' }).total, 30);
    assert.equal(listDevices(station.db, { state: 'Enrolled' }).total, 250);
    assert.equal(listDevices(station.db, { state: 'Provisioned' }).total, 0);
    const combined = listDevices(station.db, {
      groupId: lineB.id,
      status: 'Enabled',
      attribute: { key: 'mac', value: '00:11:22:33:01:00' },
    });
    assert.ok(combined.items.every((d) => d.groupName === 'Line B' && d.status === 'Enabled'));
    // mac …:01:00 is on devices 1, 11, …, 241 (all odd, so Line B); 1, 11 and 21 are disabled.
    assert.equal(combined.total, 22);
  });

  it('searches names, descriptions and IDs, treating % and _ literally', () => {
    assert.equal(listDevices(station.db, { search: 'dev-01' }).total, 100);
    assert.equal(listDevices(station.db, { search: 'golden' }).total, 5);
    assert.equal(listDevices(station.db, { search: 'GOLDEN SAMP' }).total, 5, 'case-insensitive, across words');
    assert.equal(listDevices(station.db, { search: 'go' }).total, 5, 'short searches scan');
    assert.equal(listDevices(station.db, { search: '"golden"' }).total, 0, 'quotes are literal');
    assert.equal(listDevices(station.db, { search: ids[3] }).items[0]?.id, ids[3]);
    assert.equal(listDevices(station.db, { search: '%' }).total, 0);
    assert.equal(listDevices(station.db, { search: 'dev_0' }).total, 0);
  });

  it('refuses bad queries', () => {
    for (const query of [{ limit: 0 }, { limit: 501 }, { cursor: 'abc' }, { state: 'Lost' }, { groupId: 'x' }]) {
      assert.throws(() => listDevices(station.db, query as never), { code: 'INVALID_INPUT' }, JSON.stringify(query));
    }
  });
});
