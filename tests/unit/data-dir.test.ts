import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveDataDir } from '../../main/core/store/data-dir';

describe('data directory', () => {
  it('prefers --data over TRUSTLINE_DATA', () => {
    assert.equal(resolveDataDir({ flag: '/srv/a', env: { TRUSTLINE_DATA: '/srv/b' } }), '/srv/a');
  });

  it('uses TRUSTLINE_DATA when no flag is given', () => {
    assert.equal(resolveDataDir({ env: { TRUSTLINE_DATA: '/srv/b' } }), '/srv/b');
  });

  it('resolves a relative flag against the working directory', () => {
    assert.equal(resolveDataDir({ flag: 'data', env: {} }), path.resolve('data'));
  });

  it("falls back to each OS's application-data folder", () => {
    assert.equal(resolveDataDir({ env: {}, platform: 'linux', home: '/home/op' }), '/home/op/.local/share/trustline');
    assert.equal(
      resolveDataDir({ env: { XDG_DATA_HOME: '/xdg' }, platform: 'linux', home: '/home/op' }),
      '/xdg/trustline',
    );
    assert.equal(
      resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/op' }),
      '/Users/op/Library/Application Support/Trustline',
    );
    assert.equal(
      resolveDataDir({ env: { APPDATA: 'C:\\Users\\op\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\op' }),
      'C:\\Users\\op\\AppData\\Roaming\\Trustline',
    );
  });
});
