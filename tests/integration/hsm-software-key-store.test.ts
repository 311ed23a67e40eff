// The demo software token: same signatures as the PKCS#11 store, and a file on disk that gives
// nothing away without the PIN.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { isKeyStoreError, keyAlgorithms, openSoftwareKeyStore, schemesFor } from '../../hsm';
import type { KeyAlgorithm, KeyRef } from '../../hsm';
import { hashOf, verifyWithNode } from '../helpers/signatures';
import { tempDir } from '../helpers/temp-dir';

const run = promisify(execFile);
const pin = 'demo-pin';
const message = Buffer.from('Trustline: signed by the software token\n');

describe('software key store', () => {
  const dir = tempDir('trustline-hsm-software-');
  const file = path.join(dir, 'software-token.json');
  const keys = new Map<KeyAlgorithm, { ref: KeyRef; spki: Buffer }>();

  it('creates the token file and says it is not for production', async () => {
    const store = await openSoftwareKeyStore({ file, pin });
    try {
      assert.equal(store.info.kind, 'software');
      assert.equal(store.info.notForProduction, true);
      assert.equal(store.info.description, 'software — not for production');
      assert.deepEqual(await store.listKeys(), []);
      assert.equal(statSync(file).mode & 0o777, 0o600);
    } finally {
      await store.close();
    }
  });

  it('generates every algorithm and signs with each scheme, verified by node:crypto and OpenSSL', async () => {
    const store = await openSoftwareKeyStore({ file, pin });
    try {
      for (const algorithm of keyAlgorithms) {
        const ref = await store.generateKeyPair(`demo-${algorithm}`, algorithm);
        assert.match(ref.id, /^[0-9a-f]{32}$/u);
        const spki = await store.getPublicKey(ref);
        keys.set(algorithm, { ref, spki });
        const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
        const publicPem = path.join(dir, `${algorithm}.pem`);
        writeFileSync(publicPem, publicKey.export({ format: 'pem', type: 'spki' }));
        for (const scheme of schemesFor(algorithm)) {
          const signature = await store.sign(ref, scheme, message);
          assert.ok(verifyWithNode(publicKey, scheme, message, signature), `${algorithm} ${scheme}`);
          if (scheme.startsWith('ECDSA-')) assert.equal(signature[0], 0x30, 'ECDSA as DER');
          const hash = hashOf(scheme);
          const dataFile = path.join(dir, 'data');
          const signatureFile = path.join(dir, 'sig');
          writeFileSync(dataFile, message);
          writeFileSync(signatureFile, signature);
          const args =
            hash === null
              ? [
                  'pkeyutl',
                  '-verify',
                  '-pubin',
                  '-inkey',
                  publicPem,
                  '-rawin',
                  '-in',
                  dataFile,
                  '-sigfile',
                  signatureFile,
                ]
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
          assert.match(stdout, /Verified OK|Signature Verified Successfully/u, `openssl ${algorithm} ${scheme}`);
        }
      }
      await assert.rejects(store.sign(keys.get('EC-P256')!.ref, 'RSA-PSS-SHA256', message), {
        code: 'HSM_MECHANISM_UNSUPPORTED',
      });
      await assert.rejects(store.sign(keys.get('RSA-2048')!.ref, 'Ed25519', message), {
        code: 'HSM_MECHANISM_UNSUPPORTED',
      });
      await assert.rejects(store.generateKeyPair('demo-EC-P256', 'EC-P256'), { code: 'HSM_KEY_AMBIGUOUS' });
      const p384 = keys.get('EC-P384')!.ref;
      assert.deepEqual(await store.findKey({ label: p384.label }), p384);
      assert.deepEqual(await store.findKey({ id: p384.id }), p384);
      assert.equal(await store.findKey({ label: 'absent' }), null);
    } finally {
      await store.close();
    }
  });

  it('keeps no private key and no PIN in clear in the file', () => {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /PRIVATE KEY/u);
    assert.ok(!text.includes(pin), 'the PIN is not in the file');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const parsed = JSON.parse(text) as { keys: Array<{ privateKey: Record<string, string>; publicKey: string }> };
    assert.equal(parsed.keys.length, keyAlgorithms.length);
    for (const entry of parsed.keys) {
      assert.deepEqual(Object.keys(entry.privateKey).sort(), ['data', 'iv', 'tag']);
      // Sealed bytes do not parse as a PKCS#8 key; the public half is the SPKI the store gave out.
      assert.throws(() =>
        createPrivateKey({ key: Buffer.from(entry.privateKey.data!, 'base64'), format: 'der', type: 'pkcs8' }),
      );
    }
  });

  it('refuses a wrong PIN, then reopens with the right one and signs with the same keys', async () => {
    await assert.rejects(openSoftwareKeyStore({ file, pin: 'not-the-pin' }), (error: unknown) => {
      assert.ok(isKeyStoreError(error) && error.code === 'HSM_PIN_INCORRECT', String(error));
      return true;
    });
    const store = await openSoftwareKeyStore({ file, pin });
    try {
      assert.equal((await store.listKeys()).length, keyAlgorithms.length);
      for (const [algorithm, { ref, spki }] of keys) {
        assert.deepEqual(await store.findKey({ id: ref.id }), ref);
        assert.deepEqual(await store.getPublicKey(ref), spki);
        const scheme = schemesFor(algorithm)[0]!;
        const signature = await store.sign(ref, scheme, message);
        assert.ok(
          verifyWithNode(createPublicKey({ key: spki, format: 'der', type: 'spki' }), scheme, message, signature),
        );
      }
    } finally {
      await store.close();
    }
  });

  it('notices a key entry that was tampered with', async () => {
    const tampered = path.join(dir, 'tampered.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ id: string }> };
    const [first, second] = parsed.keys;
    // Swap ids: each sealed key is bound to its own id, so this must not open.
    [first!.id, second!.id] = [second!.id, first!.id];
    writeFileSync(tampered, JSON.stringify(parsed));
    await assert.rejects(openSoftwareKeyStore({ file: tampered, pin }), { code: 'HSM_FAILURE' });
  });
});
