import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/postgres';
import { api } from '../helpers/server';

const database = await createTestDatabase();
after(() => database.drop());

/** Runs the CLI from source the way `trustline` runs it from the build. */
function trustline(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/trustline.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRUSTLINE_SERVER_DB: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trustline server', () => {
  it('creates an administrator once and prints the token once', () => {
    const made = trustline(['server', 'admin', '--db', database.url, '--name', 'ada']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /API token: tlt_[A-Za-z0-9_-]{43}\n/);
    assert.match(made.stdout, /will not be shown again/);
    const again = trustline(['server', 'admin', '--name', 'ada'], { TRUSTLINE_SERVER_DB: database.url });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error CONFLICT: A user named "ada" already exists/);
  });

  it('exits 2 with usage without a database', () => {
    for (const args of [
      ['server'],
      ['server', 'admin', '--name', 'x'],
      ['server', '--db', database.url, '--port', 'x'],
    ]) {
      const result = trustline(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /Usage:[\s\S]*trustline server \[--db/);
      // A password given with --db would show in `ps`: the usage steers it to the environment.
      assert.match(result.stderr, /with a password, set \$TRUSTLINE_SERVER_DB instead of --db/);
    }
  });

  it('serves until SIGTERM, with the administrator token working', async () => {
    const token = /API token: (tlt_\S+)/.exec(
      trustline(['server', 'admin', '--db', database.url, '--name', 'bea']).stdout,
    )?.[1];
    assert.ok(token);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/trustline.ts', 'server', '--port', '0'], {
      env: { ...process.env, TRUSTLINE_SERVER_DB: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /Trustline server listening on (http:\/\/\S+)\n/.exec(out)?.[1];
          if (found) resolve(found);
        });
        child.once('exit', () => reject(new Error(`server exited before listening: ${out}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await api(url, 'GET', '/healthz')).status, 200);
      const users = await api<{ items: { name: string }[] }>(url, 'GET', '/api/v1/users', { token });
      assert.deepEqual(users.body.items.map((u) => u.name).sort(), ['ada', 'bea']);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
