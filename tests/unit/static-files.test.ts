import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readStaticFile } from '../../main/core/bridge/static-files';
import { tempDir } from '../helpers/temp-dir';

describe('static files', () => {
  const base = tempDir();
  const root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<html>app</html>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(base, 'secret.txt'), 'station secret');

  it('serves files with their content type', async () => {
    const file = await readStaticFile(root, '/assets/app.js');
    assert.equal(file?.contentType, 'text/javascript; charset=utf-8');
    assert.equal(file?.body.toString(), 'console.log(1)');
  });

  it('serves index.html for the root and for app routes', async () => {
    assert.equal((await readStaticFile(root, '/'))?.body.toString(), '<html>app</html>');
    assert.equal((await readStaticFile(root, '/devices'))?.body.toString(), '<html>app</html>');
  });

  it('answers nothing for a missing asset', async () => {
    assert.equal(await readStaticFile(root, '/assets/missing.js'), null);
  });

  it('never leaves the renderer folder', async () => {
    for (const attempt of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const file = await readStaticFile(root, attempt);
      assert.ok(file === null || !file.body.toString().includes('station secret'), attempt);
    }
  });
});
