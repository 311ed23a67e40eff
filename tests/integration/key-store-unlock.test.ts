// Unlocking the key store: the PIN is checked every time, refusals and logins are audited
// without the PIN, and a PIN the token cannot take is refused before any token is made.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { acquireModule, releaseModule } from '../../hsm/pkcs11-module-registry';
import { openStation, type Station } from '../../main/core/station';
import { admin, call, refused } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

describe('key store unlock', () => {
  const data = path.join(tempDir(), 'station');
  let station: Station;
  const created: string[] = [];

  before(() => {
    station = openStation(data, { keyStore: { onTokenCreated: (soPin) => created.push(soPin) } });
  });
  after(() => station.close());

  const auditActions = () =>
    (
      station.db.prepare('SELECT action, details FROM audit_log ORDER BY seq').all() as {
        action: string;
        details: string;
      }[]
    ).map((row) => ({ action: row.action, details: row.details }));

  it('refuses a PIN the token cannot take before making a token', async () => {
    await refused(station, 'keyStore.unlock', { pin: 'x'.repeat(256) }, 'INVALID_INPUT');
    const tooShort = await station.dispatch('keyStore.unlock', { pin: '123' }, admin);
    assert.equal(tooShort.ok ? 'accepted' : tooShort.error.code, 'HSM_PIN_INCORRECT');
    assert.equal(existsSync(path.join(data, 'hsm', 'tokens')) && created.length > 0, false);
  });

  it('creates the token on the first unlock, tells the SO PIN once, and audits the login', async () => {
    const status = await call(station, 'keyStore.unlock', { pin: '1234' });
    assert.equal(status.unlocked, true);
    assert.match(status.soPin ?? '', /^[0-9a-f]{16,}$/);
    assert.deepEqual(created, [status.soPin]);
    const again = await call(station, 'keyStore.unlock', { pin: '1234' });
    assert.equal(again.soPin, undefined);
    const logins = auditActions().filter((a) => a.action === 'keystore.unlocked');
    assert.equal(logins.length, 2);
    assert.deepEqual(JSON.parse(logins[0]!.details), { kind: 'pkcs11', created: true });
  });

  it('checks the PIN even when the store is already open, and audits the refusal without the PIN', async () => {
    const wrong = await station.dispatch('keyStore.unlock', { pin: 'not-the-pin' }, admin);
    assert.equal(wrong.ok ? 'accepted' : wrong.error.code, 'HSM_PIN_INCORRECT');
    const refusals = auditActions().filter((a) => a.action === 'keystore.unlock-refused');
    assert.ok(refusals.length >= 1);
    for (const entry of auditActions()) assert.doesNotMatch(entry.details, /not-the-pin|"1234"/);
  });

  it('audits CA certificate exports', async () => {
    const root = await call(station, 'cas.createRoot', { name: 'Root', subject: { commonName: 'Root' } });
    await call(station, 'cas.exportCertificate', { id: root.id });
    const exports = auditActions().filter((a) => a.action === 'ca.certificate-exported');
    assert.equal(exports.length, 1);
    const createdEntry = auditActions().find((a) => a.action === 'ca.root-created');
    assert.match(JSON.parse(createdEntry!.details).serial, /^[0-9a-f]{32}$/);
  });

  it('refuses to adopt a key that can leave the token as a CA key', async () => {
    // A key made from outside the station, extractable and not sensitive.
    const module = acquireModule(station.keys.status().modulePath ?? '');
    const p11 = module.pkcs11;
    try {
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === 'trustline-station');
      assert.ok(slot);
      const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      const id = Buffer.from('10ose', 'latin1');
      p11.C_GenerateKeyPair(
        session,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
          { type: pkcs11js.CKA_LABEL, value: 'loose-key' },
          { type: pkcs11js.CKA_ID, value: id },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_LABEL, value: 'loose-key' },
          { type: pkcs11js.CKA_ID, value: id },
        ],
      );
      p11.C_CloseSession(session);
    } finally {
      releaseModule(module);
    }
    await refused(
      station,
      'cas.adoptKey',
      {
        name: 'Loose',
        key: 'loose-key',
        certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      },
      'HSM_KEY_NOT_PROTECTED',
    );
  });
});
