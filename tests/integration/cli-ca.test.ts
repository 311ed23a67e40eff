import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { makeCsr, opensslStatus } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

/** Runs the CLI from source the way `trustline` runs it from the build. */
function trustline(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/trustline.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRUSTLINE_HSM_PIN: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trustline CLI: the README flow from a CA to a verified certificate', () => {
  const dir = tempDir();
  const data = path.join(dir, 'station');
  const pinFile = path.join(dir, 'pin.txt');
  writeFileSync(pinFile, '1234\n');
  const withPin = ['--data', data, '--pin-file', pinFile];

  it('says which key store it uses before it exists', () => {
    const status = trustline(['keystore', 'status', '--data', data, '--json']);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout);
    assert.equal(parsed.unlocked, false);
    assert.equal(parsed.kind, 'pkcs11');
    assert.equal(parsed.tokenLabel, 'trustline-station');
  });

  it('refuses CA work without a PIN, changing nothing', () => {
    const refused = trustline(['ca', 'create-root', '--name', 'Root', '--cn', 'Root', '--data', data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /KEY_STORE_LOCKED/);
    assert.equal(JSON.parse(trustline(['ca', 'list', '--data', data, '--json']).stdout).length, 0);
  });

  it('creates the token on first unlock and shows its SO PIN once', () => {
    const first = trustline(['keystore', 'unlock', ...withPin]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /security officer PIN is [0-9a-f]{16,}/);
    const again = trustline(['keystore', 'unlock', ...withPin]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(`${again.stdout}${again.stderr}`, /security officer PIN/);
  });

  it('lists the slots and tokens of a PKCS#11 module, and names a missing module', () => {
    const slots = trustline(['keystore', 'slots', '--module', '/usr/lib/softhsm/libsofthsm2.so', '--json'], {
      SOFTHSM2_CONF: path.join(data, 'hsm', 'softhsm2.conf'),
    });
    assert.equal(slots.code, 0, slots.stderr);
    const labels = (JSON.parse(slots.stdout) as { token: { label: string } | null }[]).map((s) => s.token?.label);
    assert.ok(labels.includes('trustline-station'), JSON.stringify(labels));
    const missing = trustline(['keystore', 'slots', '--module', path.join(dir, 'no-such-module.so')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HSM_MODULE_NOT_FOUND/);
  });

  it('makes a root, an issuing CA and a policy, and issues a certificate openssl verifies', () => {
    const root = trustline([
      'ca',
      'create-root',
      '--name',
      'Acme Root',
      '--cn',
      'Acme Root CA',
      '--o',
      'Acme',
      ...withPin,
    ]);
    assert.equal(root.code, 0, root.stderr);
    const issuing = trustline([
      'ca',
      'create-issuing',
      '--name',
      'Line CA',
      '--cn',
      'Acme Line CA',
      '--sign-with',
      'Acme Root',
      ...withPin,
    ]);
    assert.equal(issuing.code, 0, issuing.stderr);
    const policy = trustline([
      'policy',
      'create',
      '--preset',
      'tls-client',
      '--name',
      'TLS devices',
      '--ca',
      'Line CA',
      '--data',
      data,
    ]);
    assert.equal(policy.code, 0, policy.stderr);
    const { csrFile } = makeCsr(dir, 'device', 'P-256');
    const out = path.join(dir, 'device.pem');
    const chain = path.join(dir, 'chain.pem');
    const issued = trustline([
      'issue',
      '--policy',
      'TLS devices',
      '--csr',
      csrFile,
      '--unmanaged',
      '--attr',
      'serial=000123',
      '--out',
      out,
      '--chain-out',
      chain,
      '--json',
      ...withPin,
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    assert.equal(JSON.parse(issued.stdout).subject, 'CN=000123');
    const rootFile = path.join(dir, 'root.pem');
    assert.equal(trustline(['ca', 'export', '--name', 'Acme Root', '--out', rootFile, '--data', data]).code, 0);
    const verified = opensslStatus(['verify', '-CAfile', rootFile, '-untrusted', chain, out]);
    assert.ok(verified.ok, verified.output);
  });

  it('takes the PIN from TRUSTLINE_HSM_PIN, and a wrong PIN is refused with its code', () => {
    const { csrFile } = makeCsr(dir, 'env', 'P-256');
    const base = [
      'issue',
      '--policy',
      'TLS devices',
      '--csr',
      csrFile,
      '--unmanaged',
      '--attr',
      'serial=7',
      '--data',
      data,
    ];
    assert.equal(trustline(base, { TRUSTLINE_HSM_PIN: '1234' }).code, 0);
    const wrong = trustline(base, { TRUSTLINE_HSM_PIN: '9999' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /HSM_PIN_INCORRECT/);
  });

  it('answers usage errors with exit code 2', () => {
    assert.equal(trustline(['issue', '--policy', 'TLS devices', '--data', data]).code, 2);
    assert.equal(trustline(['issue', '--policy', 'TLS devices', '--csr', 'x.csr', '--data', data]).code, 2);
    assert.equal(trustline(['ca', 'export', '--name', 'Nope', '--out', 'x', '--data', data]).code, 2);
    assert.equal(trustline(['ca', 'frobnicate', '--data', data]).code, 2);
  });
});
