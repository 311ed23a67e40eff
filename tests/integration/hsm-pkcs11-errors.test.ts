// How the PKCS#11 key store fails: wrong PIN, missing module, unknown token, a second SoftHSM2
// config in one process. Every failure carries its stable code and leaves the token usable.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  describeStationKeyStoreChoice,
  findSoftHsmModule,
  isKeyStoreError,
  listPkcs11Slots,
  openPkcs11KeyStore,
  openStationKeyStore,
} from '../../hsm';
import type { KeyStoreErrorCode } from '../../hsm';
import { tempDir } from '../helpers/temp-dir';

const softHsm = findSoftHsmModule();
const pin = 'right-pin';
const message = Buffer.from('still signs');

function failsWith(code: KeyStoreErrorCode, ckr?: string) {
  return (error: unknown): boolean => {
    assert.ok(isKeyStoreError(error), `a KeyStoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (ckr !== undefined) assert.equal(error.ckr, ckr);
    return true;
  };
}

describe('PKCS#11 key store failures', { skip: softHsm ? false : 'SoftHSM2 not installed' }, () => {
  const dir = tempDir('trustline-hsm-errors-');
  const stationDir = path.join(dir, 'keystore');
  const config = path.join(stationDir, 'softhsm2.conf');

  it('reports a wrong PIN as HSM_PIN_INCORRECT and then opens with the right one', async () => {
    const first = await openStationKeyStore({ dir: stationDir, pin });
    const key = await first.store.generateKeyPair('issuing', 'EC-P256');
    await first.store.close();

    await assert.rejects(
      openStationKeyStore({ dir: stationDir, pin: 'wrong-pin' }),
      failsWith('HSM_PIN_INCORRECT', 'CKR_PIN_INCORRECT'),
    );
    await assert.rejects(
      openPkcs11KeyStore({
        modulePath: softHsm!.path,
        tokenLabel: 'trustline-station',
        pin: 'wrong',
        softHsmConfig: config,
      }),
      failsWith('HSM_PIN_INCORRECT', 'CKR_PIN_INCORRECT'),
    );

    const { store, created } = await openStationKeyStore({ dir: stationDir, pin });
    assert.equal(created, false);
    try {
      const signature = await store.sign(key, 'ECDSA-SHA256', message);
      const spki = await store.getPublicKey(key);
      assert.ok(verify('sha256', message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature));
    } finally {
      await store.close();
    }
  });

  it('checks the PIN even while another store of this process keeps the token logged in', async () => {
    // PKCS#11 answers CKR_USER_ALREADY_LOGGED_IN there without looking at the PIN.
    const open = await openStationKeyStore({ dir: stationDir, pin });
    try {
      await assert.rejects(openStationKeyStore({ dir: stationDir, pin: 'wrong-pin' }), failsWith('HSM_PIN_INCORRECT'));
      const second = await openStationKeyStore({ dir: stationDir, pin });
      assert.equal((await second.store.listKeys()).length, 1);
      await second.store.close();
      assert.equal((await open.store.listKeys()).length, 1);
    } finally {
      await open.store.close();
    }
  });

  it('enforces the PIN length rule before touching a token', async () => {
    for (const pin of ['123', 'x'.repeat(256)]) {
      await assert.rejects(openStationKeyStore({ dir: stationDir, pin }), (error: unknown) => {
        assert.ok(isKeyStoreError(error) && error.code === 'HSM_PIN_INCORRECT');
        assert.match(error.message, /4 to 255 characters/u);
        return true;
      });
    }
  });

  it('names the missing module path', async () => {
    const missing = path.join(dir, 'no-such-module.so');
    for (const attempt of [
      openPkcs11KeyStore({ modulePath: missing, tokenLabel: 'trustline-station', pin }),
      openStationKeyStore({ dir: stationDir, pin, modulePath: missing }),
      listPkcs11Slots(missing),
    ]) {
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(isKeyStoreError(error) && error.code === 'HSM_MODULE_NOT_FOUND');
        assert.ok(error.message.includes(missing), error.message);
        return true;
      });
    }
  });

  it('lists the labels it found when the token label is unknown', async () => {
    await assert.rejects(
      openPkcs11KeyStore({ modulePath: softHsm!.path, tokenLabel: 'no-such-token', pin, softHsmConfig: config }),
      (error: unknown) => {
        assert.ok(isKeyStoreError(error) && error.code === 'HSM_TOKEN_NOT_FOUND');
        assert.match(error.message, /"no-such-token"/u);
        assert.match(error.message, /"trustline-station"/u);
        return true;
      },
    );
    // An external module's token is never initialised on request.
    await assert.rejects(
      openStationKeyStore({ dir: stationDir, pin, modulePath: softHsm!.path, tokenLabel: 'other' }),
      failsWith('HSM_TOKEN_NOT_FOUND'),
    );
  });

  it('refuses a second SoftHSM2 config while the module runs with the first, and allows it once closed', async () => {
    const otherDir = path.join(dir, 'other-keystore');
    const open = await openStationKeyStore({ dir: stationDir, pin });
    try {
      await assert.rejects(openStationKeyStore({ dir: otherDir, pin }), (error: unknown) => {
        assert.ok(isKeyStoreError(error) && error.code === 'HSM_MODULE_IN_USE');
        assert.ok(error.message.includes(path.join(otherDir, 'softhsm2.conf')), error.message);
        return true;
      });
    } finally {
      await open.store.close();
    }
    const other = await openStationKeyStore({ dir: otherDir, pin });
    assert.equal(other.created, true);
    assert.deepEqual(await other.store.listKeys(), []);
    await other.store.close();
  });

  it('says which store it would use without a PIN', () => {
    const choice = describeStationKeyStoreChoice(stationDir);
    assert.equal(choice.kind, 'station-softhsm');
    if (choice.kind === 'station-softhsm') {
      assert.equal(choice.configPath, config);
      assert.equal(choice.tokenPresent, true);
    }
    const fresh = describeStationKeyStoreChoice(path.join(dir, 'never-used'));
    assert.equal(fresh.kind === 'station-softhsm' && fresh.tokenPresent, false);
    const software = describeStationKeyStoreChoice(stationDir, { env: { TRUSTLINE_SOFTHSM2_MODULE: '/nonexistent' } });
    // The usual locations still find SoftHSM2 here; only a host without it falls back.
    assert.equal(software.kind, 'station-softhsm');
    const external = describeStationKeyStoreChoice(stationDir, { modulePath: '/opt/vendor/libpkcs11.so' });
    assert.deepEqual(
      { kind: external.kind, found: external.kind === 'external-pkcs11' && external.moduleFound },
      { kind: 'external-pkcs11', found: false },
    );
  });
});
