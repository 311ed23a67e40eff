// Many signatures at once over a small session pool: each session runs one operation at a time
// (no CKR_OPERATION_ACTIVE), the queue drains, and every signature verifies.
import assert from 'node:assert/strict';
import { constants, createPublicKey, verify } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findSoftHsmModule, openStationKeyStore } from '../../hsm';
import type { SignatureScheme } from '../../hsm';
import { tempDir } from '../helpers/temp-dir';

const softHsm = findSoftHsmModule();

describe('concurrent signing', { skip: softHsm ? false : 'SoftHSM2 not installed' }, () => {
  const dir = tempDir('trustline-hsm-concurrency-');

  it('signs 200 messages at once over a 2-session pool, all verifiable', async () => {
    const { store } = await openStationKeyStore({ dir: path.join(dir, 'keystore'), pin: '0000', sessions: 2 });
    try {
      const ec = await store.generateKeyPair('ec', 'EC-P256');
      const rsa = await store.generateKeyPair('rsa', 'RSA-2048');
      const ecKey = createPublicKey({ key: await store.getPublicKey(ec), format: 'der', type: 'spki' });
      const rsaKey = createPublicKey({ key: await store.getPublicKey(rsa), format: 'der', type: 'spki' });

      const jobs = Array.from({ length: 200 }, (_, i) => {
        const data = Buffer.from(`device ${i}`);
        // Mixed keys and mechanisms, so operations of different kinds interleave on the sessions.
        const scheme: SignatureScheme = i % 4 === 0 ? 'RSA-PSS-SHA256' : i % 2 === 0 ? 'ECDSA-SHA384' : 'ECDSA-SHA256';
        const key = scheme.startsWith('RSA') ? rsa : ec;
        return store.sign(key, scheme, data).then((signature) => ({ data, scheme, signature }));
      });
      const results = await Promise.all(jobs);
      assert.equal(results.length, 200);
      for (const { data, scheme, signature } of results) {
        const ok =
          scheme === 'RSA-PSS-SHA256'
            ? verify(
                'sha256',
                data,
                { key: rsaKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
                signature,
              )
            : verify(scheme === 'ECDSA-SHA384' ? 'sha384' : 'sha256', data, ecKey, signature);
        assert.ok(ok, `${scheme} over "${data.toString()}"`);
      }
    } finally {
      await store.close();
    }
  });
});
