import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/temp-dir';

/** Runs the CLI from source the way `trustline` runs it from the build. */
function trustline(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/trustline.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trustline CLI', () => {
  const data = tempDir();

  it('adds a group and devices, then lists them as JSON filtered by attribute', () => {
    assert.equal(trustline(['groups', 'add', '--name', 'Line 1', '--data', data]).code, 0);
    const added = trustline([
      'devices',
      'add',
      '--name',
      'gw-001',
      '--group',
      'line 1',
      '--attr',
      'mac=00:11:22:33:44:55',
      '--attr',
      'serial=000123',
      '--json',
      '--data',
      data,
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(JSON.parse(added.stdout).attributes, { mac: '00:11:22:33:44:55', serial: '000123' });
    assert.equal(trustline(['devices', 'add', '--name', 'gw-002', '--group', 'Line 1', '--data', data]).code, 0);

    const listed = trustline(['devices', 'list', '--attr', 'serial=000123', '--json', '--data', data]);
    assert.equal(listed.code, 0, listed.stderr);
    const page = JSON.parse(listed.stdout);
    assert.equal(page.total, 1);
    assert.equal(page.items[0].name, 'gw-001');
  });

  it('reads the data directory from TRUSTLINE_DATA', () => {
    const listed = trustline(['devices', 'list'], { TRUSTLINE_DATA: data });
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /gw-001/);
    assert.match(listed.stdout, /2 of 2 device\(s\)/);
  });

  it('exits 1 with the error code on bad input, and writes nothing', () => {
    const empty = trustline(['devices', 'add', '--name', '', '--group', 'Line 1', '--data', data]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /error INVALID_INPUT/);
    const unknown = trustline(['devices', 'add', '--name', 'x', '--group', 'Nowhere', '--data', data]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /error INVALID_INPUT: .*groupId/);
    const taken = trustline(['devices', 'add', '--name', 'gw-001', '--group', 'Line 1', '--data', data]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /error DEVICE_NAME_TAKEN/);
    assert.match(trustline(['devices', 'list', '--data', data]).stdout, /2 of 2 device\(s\)/);
  });

  it('exits 2 with usage on unknown commands and options', () => {
    for (const args of [['frobnicate'], ['devices', 'list', '--colour'], ['devices', 'add', '--name', 'x']]) {
      const result = trustline([...args, '--data', data]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /Usage:/);
    }
  });

  it('verifies the audit log', () => {
    const result = trustline(['audit', 'verify', '--data', data]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Audit log intact: 3 entries/);
    const head = /head (\d+:[0-9a-f]{64})/.exec(result.stdout)?.[1] ?? '';
    assert.equal(trustline(['audit', 'verify', '--head', head, '--data', data]).code, 0);
    const wrong = trustline(['audit', 'verify', '--head', `3:${'f'.repeat(64)}`, '--data', data]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /TAMPERED.*\n.*entry 3: head-mismatch/);
    assert.equal(trustline(['audit', 'verify', '--head', 'nonsense', '--data', data]).code, 2);
  });

  it('prints an anchor that a later verify holds the log to', () => {
    const anchor = trustline(['audit', 'anchor', '--data', data]);
    assert.equal(anchor.code, 0, anchor.stderr);
    const printed = anchor.stdout.trim();
    assert.match(printed, /^\d+:[0-9a-f]{64}$/);
    assert.equal(trustline(['audit', 'verify', '--anchor', printed, '--data', data]).code, 0);
    // More entries later: the anchored entry is still there with the same hash.
    assert.equal(trustline(['groups', 'add', '--name', 'Line 9', '--data', data]).code, 0);
    assert.equal(trustline(['audit', 'verify', '--anchor', printed, '--data', data]).code, 0);
    const [seq] = printed.split(':');
    const forged = trustline(['audit', 'verify', '--anchor', `${seq}:${'a'.repeat(64)}`, '--data', data]);
    assert.equal(forged.code, 1);
    assert.match(forged.stdout, new RegExp(`first broken link is entry ${seq}`));
    assert.equal(trustline(['audit', 'anchor', '--anchor', printed, '--data', data]).code, 2);
    assert.equal(trustline(['audit', 'verify', '--anchor', '12:xyz', '--data', data]).code, 2);
  });
});
