import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/temp-dir';

/** Variables that would make a command act as someone: none leaks in from the shell running the tests. */
const credentialEnv = [
  'TRUSTLINE_TOKEN',
  'TRUSTLINE_USER',
  'TRUSTLINE_PASSWORD',
  'TRUSTLINE_NEW_PASSWORD',
  'TRUSTLINE_NEW_PIN',
];

/** Runs the CLI from source on the test's data folder, as whoever `env` names. */
function trustline(data: string, args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !credentialEnv.includes(name)));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/trustline.ts', ...args, '--data', data], {
    encoding: 'utf8',
    env: { ...base, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trustline user, role, token and audit commands', () => {
  const dir = tempDir('trustline-cli-users-');
  const data = path.join(dir, 'data');
  const secretFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `${text}\n`);
    return file;
  };
  const adminPassword = 'correct horse battery staple';
  const admin = { TRUSTLINE_USER: 'admin', TRUSTLINE_PASSWORD: adminPassword };
  const run = (args: string[], env: Record<string, string> = admin) => trustline(data, args, env);

  it('sets up the first administrator from a password file, once', () => {
    const setup = run(
      [
        'user',
        'setup-admin',
        '--username',
        'Admin',
        '--display-name',
        'Ada Admin',
        '--password-file',
        secretFile('admin.pw', adminPassword),
      ],
      {},
    );
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stdout, /Created the Solution administrator admin/);
    assert.doesNotMatch(setup.stdout, new RegExp(adminPassword));

    const listed = run(['user', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const users = JSON.parse(listed.stdout) as { username: string; displayName: string; hasPassword: boolean }[];
    assert.deepEqual(
      users.map((u) => [u.username, u.displayName, u.hasPassword]),
      [['admin', 'Ada Admin', true]],
    );
    assert.match(
      run(['user', 'list']).stdout,
      /admin\s+Ada Admin\s+person\s+Solution administrator\s+password\s+active/,
    );

    const again = run(['user', 'setup-admin', '--username', 'eve'], {
      TRUSTLINE_NEW_PASSWORD: 'another long password',
    });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /error SETUP_DONE/);
  });

  it('refuses data commands without credentials once a user exists, and accepts the password', () => {
    const anonymous = run(['groups', 'list'], {});
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /error UNAUTHENTICATED/);
    const wrong = run(['groups', 'list'], { TRUSTLINE_USER: 'admin', TRUSTLINE_PASSWORD: 'not the password' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /error SIGN_IN_FAILED/);
    const signedIn = run(['groups', 'add', '--name', 'Line 1']);
    assert.equal(signedIn.code, 0, signedIn.stderr);
    assert.match(run(['groups', 'list']).stdout, /Line 1/);
  });

  it('makes an API token whose secret is shown once and works until it is revoked', () => {
    const created = run(['token', 'create', '--name', 'ci', '--expires-days', '30']);
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.trim();
    assert.equal(secret.split('\n').length, 1, 'stdout holds only the secret');
    assert.match(created.stderr, /shown only this once/);

    const asToken = run(['groups', 'list'], { TRUSTLINE_TOKEN: secret });
    assert.equal(asToken.code, 0, asToken.stderr);
    assert.match(asToken.stdout, /Line 1/);

    const listed = run(['token', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const [token] = JSON.parse(listed.stdout) as { id: string; name: string; username: string; expiresAt: string }[];
    assert.equal(token?.name, 'ci');
    assert.equal(token.username, 'admin');
    assert.ok(token.expiresAt);
    assert.ok(!listed.stdout.includes(secret), 'a list never shows the secret');

    const revoked = run(['token', 'revoke', '--id', token.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const refused = run(['groups', 'list'], { TRUSTLINE_TOKEN: secret });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error TOKEN_REVOKED/);
    assert.match(run(['token', 'list']).stdout, /ci\s.*revoked/);
  });

  it("gives a service user's token only the service user's permissions", () => {
    const service = run(['user', 'create-service', '--name', 'line-bot', '--permissions', 'devices.view', '--json']);
    assert.equal(service.code, 0, service.stderr);
    assert.deepEqual(JSON.parse(service.stdout).permissions, ['devices.view']);

    const created = run(['token', 'create', '--name', 'bot', '--service-user', 'Line-Bot', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { secret, token } = JSON.parse(created.stdout) as { secret: string; token: { username: string } };
    assert.equal(token.username, 'line-bot');

    const devices = run(['devices', 'list'], { TRUSTLINE_TOKEN: secret });
    assert.equal(devices.code, 0, devices.stderr);
    const denied = run(['groups', 'add', '--name', 'Line 2'], { TRUSTLINE_TOKEN: secret });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /error PERMISSION_DENIED/);
    assert.doesNotMatch(run(['groups', 'list']).stdout, /Line 2/);
  });

  it('adds people with roles by name, and refuses unknown roles and short passwords without adding anyone', () => {
    const unknown = run(['user', 'create', '--username', 'bob', '--role', 'Line operator,Chief of everything']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no role named "Chief of everything" \(see trustline role list\)/);

    const short = run([
      'user',
      'create',
      '--username',
      'bob',
      '--role',
      'line operator',
      '--password-file',
      secretFile('short.pw', 'short'),
    ]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /error INVALID_INPUT/);
    assert.match(short.stderr, /password: must be at least 12 characters/);
    assert.doesNotMatch(run(['user', 'list']).stdout, /bob/);

    const bob = run(
      [
        'user',
        'create',
        '--username',
        'bob',
        '--display-name',
        'Bob Builder',
        '--role',
        'line operator',
        '--role',
        'QA technician',
        '--pin-file',
        secretFile('bob.pin', '4711'),
      ],
      { ...admin, TRUSTLINE_NEW_PASSWORD: 'bobs long password' },
    );
    assert.equal(bob.code, 0, bob.stderr);
    assert.match(bob.stdout, /roles:\s+Line operator, QA technician/);
    assert.match(bob.stdout, /credentials:\s+password,pin/);

    // Bob signs in with the password from the environment; a line operator may not manage groups.
    const asBob = { TRUSTLINE_USER: 'bob', TRUSTLINE_PASSWORD: 'bobs long password' };
    assert.equal(run(['devices', 'list'], asBob).code, 0);
    assert.match(run(['groups', 'add', '--name', 'Line 3'], asBob).stderr, /error PERMISSION_DENIED/);
  });

  it('updates, disables and re-enables a user', () => {
    const asBob = { TRUSTLINE_USER: 'bob', TRUSTLINE_PASSWORD: 'bobs long password' };
    const updated = run([
      'user',
      'update',
      '--username',
      'BOB',
      '--role',
      'Device administrator',
      '--remove-pin',
      '--json',
    ]);
    assert.equal(updated.code, 0, updated.stderr);
    const user = JSON.parse(updated.stdout) as { hasPin: boolean; roleIds: string[] };
    assert.equal(user.hasPin, false);
    assert.equal(user.roleIds.length, 1);

    assert.equal(run(['user', 'update', '--username', 'bob', '--disable']).code, 0);
    const disabled = run(['devices', 'list'], asBob);
    assert.equal(disabled.code, 1);
    assert.match(disabled.stderr, /error (ACCOUNT_DISABLED|SIGN_IN_FAILED)/);
    assert.match(run(['user', 'list']).stdout, /bob\s.*disabled/);
    assert.equal(run(['user', 'update', '--username', 'bob', '--enable']).code, 0);
    assert.equal(run(['devices', 'list'], asBob).code, 0);

    const cleared = run(['user', 'clear-lockout', '--username', 'bob']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /bob may sign in again/);

    const nobody = run(['user', 'update', '--username', 'nobody', '--disable']);
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /no user named "nobody"/);
  });

  it('creates and deletes a custom role', () => {
    const created = run([
      'role',
      'create',
      '--name',
      'Auditor',
      '--permissions',
      'audit.view,devices.view',
      '--description',
      'Reads the log',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(run(['role', 'list']).stdout, /Auditor\s+no\s+0\s+audit\.view,devices\.view/);
    const badPermission = run(['role', 'create', '--name', 'Odd', '--permissions', 'devices.fly']);
    assert.equal(badPermission.code, 1);
    assert.match(badPermission.stderr, /error INVALID_INPUT/);
    const deleted = run(['role', 'delete', '--name', 'auditor']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.doesNotMatch(run(['role', 'list']).stdout, /Auditor/);
  });

  it("lists the admin's audit entries newest first and exports the log as CSV", () => {
    const listed = run(['audit', 'list', '--actor', 'admin', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const entries = JSON.parse(listed.stdout) as { seq: number; actor: string }[];
    assert.ok(entries.length > 0);
    for (const entry of entries) assert.match(entry.actor, /admin/i);
    const seqs = entries.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    // Each signed-in command is itself audited, so the newest entries move on between two calls.
    const limited = run(['audit', 'list', '--actor', 'admin', '--limit', '2', '--json']);
    const newest = (JSON.parse(limited.stdout) as { seq: number }[]).map((e) => e.seq);
    assert.equal(newest.length, 2);
    assert.ok((newest[0] ?? 0) > (newest[1] ?? 0) && (newest[1] ?? 0) >= (seqs[0] ?? 0));
    const older = run(['audit', 'list', '--before', String(seqs[1]), '--limit', '1', '--json']);
    assert.deepEqual(
      (JSON.parse(older.stdout) as { seq: number }[]).map((e) => e.seq),
      [(seqs[1] ?? 0) - 1],
    );
    assert.match(run(['audit', 'list', '--actor', 'admin']).stdout, /^SEQ\s+TIME\s+ACTOR\s+ACTION\s+SUBJECT\s+DETAILS/);

    const badTime = run(['audit', 'list', '--from', 'yesterday']);
    assert.equal(badTime.code, 1);
    assert.match(badTime.stderr, /error INVALID_INPUT/);

    const out = path.join(dir, 'audit.csv');
    const exported = run(['audit', 'export', '--out', out, '--actor', 'admin']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(existsSync(out));
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    assert.match(header ?? '', /actor/i);
    assert.match(header ?? '', /action/i);
    assert.ok(rows.length >= entries.length);
    assert.match(exported.stdout, /audit\.csv: \d+ audit entr/);

    // Verifying reads the file itself and needs nobody signed in.
    const verified = run(['audit', 'verify'], {});
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /Audit log intact/);
  });

  it('answers missing options with usage (exit 2) and never takes a secret as an argument', () => {
    for (const args of [
      ['user', 'create', '--username', 'x'],
      ['user', 'update', '--username', 'bob'],
      ['user', 'update', '--username', 'bob', '--disable', '--enable'],
      ['user', 'create-service', '--name', 'x'],
      ['user', 'create', '--username', 'x', '--role', 'Line operator', '--password', 'given on the command line'],
      ['user', 'setup-admin', '--username', 'x', '--password-file', path.join(dir, 'missing.pw')],
      ['user', 'frobnicate'],
      ['role', 'create', '--name', 'x'],
      ['token', 'create', '--name', 'x', '--expires-days', '0'],
      ['token', 'revoke'],
      ['audit', 'export'],
      ['audit', 'list', '--limit', 'many'],
    ]) {
      const result = run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /Usage:/);
    }
  });
});
