// The station's own SoftHSM2 token through the PKCS#11 key store: every algorithm and scheme,
// checked by node:crypto, by OpenSSL and (for the key attributes) by pkcs11-tool from outside.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  findSoftHsmModule,
  isKeyStoreError,
  keyAlgorithms,
  listPkcs11Slots,
  openStationKeyStore,
  schemesFor,
} from '../../hsm';
import type { KeyAlgorithm, KeyRef, KeyStore, SignatureScheme } from '../../hsm';
import { hashOf, verifyWithNode } from '../helpers/signatures';
import { tempDir } from '../helpers/temp-dir';

const run = promisify(execFile);
const softHsm = findSoftHsmModule();
const pin = '4321';
const message = Buffer.from('Trustline: to be signed by the station CA\n');

async function verifyWithOpenSsl(dir: string, name: string, spki: Buffer, scheme: SignatureScheme, signature: Buffer) {
  const publicPem = path.join(dir, `${name}.pub.pem`);
  const dataFile = path.join(dir, `${name}.data`);
  const signatureFile = path.join(dir, `${name}.sig`);
  writeFileSync(
    publicPem,
    createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }),
  );
  writeFileSync(dataFile, message);
  writeFileSync(signatureFile, signature);
  const hash = hashOf(scheme);
  const args =
    hash === null
      ? ['pkeyutl', '-verify', '-pubin', '-inkey', publicPem, '-rawin', '-in', dataFile, '-sigfile', signatureFile]
      : [
          'dgst',
          `-${hash}`,
          '-verify',
          publicPem,
          ...(scheme.startsWith('RSA-PSS-')
            ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${hash === 'sha384' ? 48 : 32}`]
            : []),
          '-signature',
          signatureFile,
          dataFile,
        ];
  const { stdout } = await run('openssl', args);
  assert.match(stdout, /Verified OK|Signature Verified Successfully/u, `openssl on ${scheme}`);
}

describe(
  'PKCS#11 key store on the station SoftHSM2 token',
  { skip: softHsm ? false : 'SoftHSM2 not installed' },
  () => {
    const dir = tempDir('trustline-hsm-pkcs11-');
    const stationDir = path.join(dir, 'keystore');
    let store: KeyStore;
    let soPin: string | undefined;
    const keys = new Map<KeyAlgorithm, KeyRef>();

    before(async () => {
      const opened = await openStationKeyStore({ dir: stationDir, pin });
      store = opened.store;
      soPin = opened.soPin;
      assert.equal(opened.created, true);
    });
    after(() => store.close());

    it('made its token on first start, with a one-time SO PIN and its own SoftHSM2 config', async () => {
      assert.match(soPin ?? '', /^[0-9a-f]{32}$/u);
      assert.equal(store.info.kind, 'pkcs11');
      assert.equal(store.info.tokenLabel, 'trustline-station');
      assert.equal(store.info.notForProduction, false);
      const slots = await listPkcs11Slots(softHsm!.path, { softHsmConfig: path.join(stationDir, 'softhsm2.conf') });
      const token = slots.find((slot) => slot.token?.label === 'trustline-station')?.token;
      assert.ok(token, 'the token is listed');
      assert.equal(token.initialized, true);
      assert.equal(token.loginRequired, true);
      assert.ok(
        slots.some((slot) => slot.token !== null && !slot.token.initialized),
        'SoftHSM2 keeps a free slot',
      );
    });

    for (const algorithm of keyAlgorithms) {
      it(`generates ${algorithm} and signs with each of its schemes`, async () => {
        let key: KeyRef;
        try {
          key = await store.generateKeyPair(`ca-${algorithm}`, algorithm);
        } catch (error) {
          // Only Ed25519 may be missing, and then only as a clear "unsupported".
          assert.equal(algorithm, 'Ed25519');
          assert.ok(isKeyStoreError(error) && error.code === 'HSM_MECHANISM_UNSUPPORTED', String(error));
          return;
        }
        assert.deepEqual({ label: key.label, algorithm: key.algorithm }, { label: `ca-${algorithm}`, algorithm });
        assert.match(key.id, /^[0-9a-f]{32}$/u);
        keys.set(algorithm, key);

        const spki = await store.getPublicKey(key);
        const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
        assert.deepEqual(
          createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'der', type: 'spki' }),
          spki,
        );
        assert.equal(
          publicKey.asymmetricKeyType,
          algorithm === 'Ed25519' ? 'ed25519' : algorithm.startsWith('EC-') ? 'ec' : 'rsa',
        );
        if (algorithm.startsWith('RSA-')) {
          assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, Number(algorithm.slice(4)));
          assert.equal(publicKey.asymmetricKeyDetails?.publicExponent, 65537n);
        }
        if (algorithm.startsWith('EC-')) {
          assert.equal(
            publicKey.asymmetricKeyDetails?.namedCurve,
            algorithm === 'EC-P256' ? 'prime256v1' : 'secp384r1',
          );
        }

        for (const scheme of schemesFor(algorithm)) {
          const signature = await store.sign(key, scheme, message);
          assert.ok(verifyWithNode(publicKey, scheme, message, signature), `node:crypto verifies ${scheme}`);
          assert.ok(
            !verifyWithNode(publicKey, scheme, Buffer.from('something else'), signature),
            `${scheme} binds the data`,
          );
          await verifyWithOpenSsl(dir, `${algorithm}-${scheme}`, spki, scheme, signature);
        }
      });
    }

    it('returns ECDSA signatures as DER with minimal positive integers', async () => {
      const key = keys.get('EC-P256')!;
      for (let i = 0; i < 50; i += 1) {
        const signature = await store.sign(key, 'ECDSA-SHA256', Buffer.from(`message ${i}`));
        assert.equal(signature[0], 0x30);
        assert.equal(signature[1], signature.length - 2);
        let offset = 2;
        for (const part of ['r', 's']) {
          assert.equal(signature[offset], 0x02, `${part} is an INTEGER`);
          const length = signature[offset + 1]!;
          const first = signature[offset + 2]!;
          assert.ok(first < 0x80, 'positive');
          if (first === 0) assert.ok(signature[offset + 3]! >= 0x80, 'no needless leading zero');
          offset += 2 + length;
        }
        assert.equal(offset, signature.length);
      }
    });

    it('refuses a scheme that does not fit the key before it reaches the token', async () => {
      const cases: Array<[KeyAlgorithm, SignatureScheme]> = [
        ['EC-P256', 'RSA-PSS-SHA256'],
        ['RSA-2048', 'ECDSA-SHA256'],
        ['RSA-2048', 'Ed25519'],
        ['EC-P384', 'Ed25519'],
      ];
      for (const [algorithm, scheme] of cases) {
        await assert.rejects(store.sign(keys.get(algorithm)!, scheme, message), { code: 'HSM_MECHANISM_UNSUPPORTED' });
      }
    });

    it('finds keys by label and by id, lists them, and refuses a second key under one label', async () => {
      const key = keys.get('EC-P384')!;
      assert.deepEqual(await store.findKey({ label: key.label }), key);
      assert.deepEqual(await store.findKey({ id: key.id }), key);
      assert.deepEqual(await store.findKey({ id: key.id.toUpperCase() }), key);
      assert.equal(await store.findKey({ label: 'no such key' }), null);
      assert.equal(await store.findKey({ id: '00'.repeat(16) }), null);
      assert.equal(await store.findKey({ id: 'not hex' }), null);
      const listed = await store.listKeys();
      for (const made of keys.values())
        assert.ok(listed.some((entry) => entry.id === made.id && entry.algorithm === made.algorithm));
      await assert.rejects(store.generateKeyPair(key.label, 'EC-P256'), { code: 'HSM_KEY_AMBIGUOUS' });
      await assert.rejects(store.sign({ ...key, id: 'ab'.repeat(16) }, 'ECDSA-SHA256', message), {
        code: 'HSM_KEY_NOT_FOUND',
      });
    });

    it('keeps private keys sensitive and non-extractable, as pkcs11-tool sees them from outside', async () => {
      const { stdout } = await run(
        'pkcs11-tool',
        [
          '--module',
          softHsm!.path,
          '--token-label',
          'trustline-station',
          '--login',
          '--pin',
          pin,
          '--list-objects',
          '--type',
          'privkey',
        ],
        { env: { ...process.env, SOFTHSM2_CONF: path.join(stationDir, 'softhsm2.conf') } },
      );
      const objects = stdout.split(/^(?=Private Key Object)/mu).map((block) => ({
        label: /^\s*label:\s+(.*)$/mu.exec(block)?.[1]?.trim(),
        id: /^\s*ID:\s+(.*)$/mu.exec(block)?.[1]?.trim(),
        usage: (/^\s*Usage:\s+(.*)$/mu.exec(block)?.[1] ?? '').split(',').map((flag) => flag.trim()),
        access: (/^\s*Access:\s+(.*)$/mu.exec(block)?.[1] ?? '').split(',').map((flag) => flag.trim()),
      }));
      for (const key of keys.values()) {
        const object = objects.find((entry) => entry.label === key.label);
        assert.ok(object, `pkcs11-tool lists ${key.label}:\n${stdout}`);
        assert.equal(object.id, key.id);
        assert.ok(object.access.includes('sensitive'), `${key.label} is sensitive: ${object.access.join(', ')}`);
        assert.ok(object.access.includes('never extractable'), `${key.label} was never extractable`);
        assert.ok(!object.access.includes('extractable'), `${key.label} is not extractable`);
        assert.deepEqual(object.usage, ['sign'], `${key.label} only signs`);
      }
    });

    it('finds the same keys after closing and reopening, and they still sign', async () => {
      const spkiBefore = await store.getPublicKey(keys.get('EC-P256')!);
      await store.close();
      const reopened = await openStationKeyStore({ dir: stationDir, pin });
      store = reopened.store;
      assert.equal(reopened.created, false);
      assert.equal(reopened.soPin, undefined);
      for (const key of keys.values()) assert.deepEqual(await store.findKey({ id: key.id }), key);
      const key = keys.get('EC-P256')!;
      assert.deepEqual(await store.getPublicKey(key), spkiBefore);
      const signature = await store.sign(key, 'ECDSA-SHA256', message);
      assert.ok(
        verify('sha256', message, createPublicKey({ key: spkiBefore, format: 'der', type: 'spki' }), signature),
      );
    });

    it('lets two stores share the module and keeps the second one working when the first closes', async () => {
      const second = (await openStationKeyStore({ dir: stationDir, pin })).store;
      const key = keys.get('EC-P256')!;
      await store.close();
      const signature = await second.sign(key, 'ECDSA-SHA256', message);
      const spki = await second.getPublicKey(key);
      assert.ok(verify('sha256', message, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature));
      store = second;
      await assert.rejects(
        (async () => {
          const closed = (await openStationKeyStore({ dir: stationDir, pin })).store;
          await closed.close();
          await closed.sign(key, 'ECDSA-SHA256', message);
        })(),
        { code: 'HSM_FAILURE' },
      );
    });
  },
);
