// A station without SoftHSM2 falls back to the software token, says so, and still issues
// certificates that openssl accepts, without writing a private key in clear.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStation, type Station } from '../../main/core/station';
import { call, makeCsr, opensslStatus, setUpCa, type TestCa } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

process.env.TRUSTLINE_SOFTHSM2_MODULE = 'none';

describe('station on the software token', () => {
  const dir = tempDir();
  const data = path.join(dir, 'station');
  let station: Station;
  let ca: TestCa;

  before(() => {
    station = openStation(data, { keyStore: { pin: '1234' } });
  });
  after(() => station.close());

  it('says before unlocking that it will use the software token, not for production', async () => {
    const status = await call(station, 'keyStore.status', {});
    assert.equal(status.kind, 'software');
    assert.equal(status.notForProduction, true);
    assert.match(status.description, /software — not for production/);
  });

  it('issues a certificate that openssl verifies, and labels the store after unlocking too', async () => {
    ca = await setUpCa(station, dir);
    const status = await call(station, 'keyStore.status', {});
    assert.equal(status.unlocked, true);
    assert.equal(status.notForProduction, true);
    const policy = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: { name: 'TLS', issuingCaId: ca.issuingId },
    });
    const issued = await call(station, 'certificates.issue', {
      policyId: policy.id,
      csrPem: makeCsr(dir, 'device', 'P-256').csrPem,
      attributes: { serial: 'S1' },
    });
    const file = path.join(dir, 'device.pem');
    writeFileSync(file, issued.pem);
    const verified = opensslStatus(['verify', '-CAfile', ca.rootFile, '-untrusted', ca.chainFile, file]);
    assert.ok(verified.ok, verified.output);
  });

  it('keeps no private key in clear on disk', () => {
    const hsmDir = path.join(data, 'hsm');
    const files = readdirSync(hsmDir);
    assert.ok(files.includes('software-token.json'), files.join(', '));
    for (const name of files) {
      const text = readFileSync(path.join(hsmDir, name), 'latin1');
      assert.doesNotMatch(text, /PRIVATE KEY/);
    }
  });
});
