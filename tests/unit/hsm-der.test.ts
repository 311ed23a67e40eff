// The hand-written DER in hsm/: ECDSA signature conversion, SPKI builders and the session pool,
// checked against node:crypto rather than against our own expectations of the bytes.
import assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, publicDecrypt, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { objectIdentifier, readElement, unsignedInteger, unwrapOctetString } from '../../hsm/der';
import { ecdsaRawToDer } from '../../hsm/ecdsa-signature';
import { curveParams, ecSpki, ed25519Spki, rsaSpki } from '../../hsm/public-key-info';
import { SessionPool } from '../../hsm/session-pool';
import { digest, digestInfo } from '../../hsm/signature-schemes';

describe('hsm DER helpers', () => {
  it('encodes object identifiers as the standard does', () => {
    assert.equal(objectIdentifier('1.2.840.10045.3.1.7').toString('hex'), '06082a8648ce3d030107');
    assert.equal(objectIdentifier('1.3.132.0.34').toString('hex'), '06052b81040022');
    assert.equal(objectIdentifier('1.3.101.112').toString('hex'), '06032b6570');
  });

  it('writes INTEGERs minimal and positive', () => {
    assert.equal(unsignedInteger(Buffer.from('0000007f', 'hex')).toString('hex'), '02017f');
    assert.equal(unsignedInteger(Buffer.from('80', 'hex')).toString('hex'), '02020080');
    assert.equal(unsignedInteger(Buffer.from('0000', 'hex')).toString('hex'), '020100');
  });

  it('converts raw r||s to an ECDSA-Sig-Value node:crypto accepts', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 100; i += 1) {
      const data = Buffer.from(`message ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw);
      assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der));
      assert.deepEqual(readElement(der).length, der.length);
    }
  });

  it('builds SPKIs that equal what node:crypto exports', () => {
    for (const [algorithm, curve] of [
      ['EC-P256', 'P-256'],
      ['EC-P384', 'P-384'],
    ] as const) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const jwk = publicKey.export({ format: 'jwk' });
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x!, 'base64url'),
        Buffer.from(jwk.y!, 'base64url'),
      ]);
      assert.deepEqual(ecSpki(curveParams[algorithm], point), publicKey.export({ format: 'der', type: 'spki' }));
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const rsaJwk = rsa.export({ format: 'jwk' });
    assert.deepEqual(
      rsaSpki(Buffer.from(rsaJwk.n!, 'base64url'), Buffer.from(rsaJwk.e!, 'base64url')),
      rsa.export({ format: 'der', type: 'spki' }),
    );
    const ed = generateKeyPairSync('ed25519').publicKey;
    const edSpki = ed25519Spki(Buffer.from(ed.export({ format: 'jwk' }).x!, 'base64url'));
    assert.deepEqual(edSpki, ed.export({ format: 'der', type: 'spki' }));
    assert.equal(createPublicKey({ key: edSpki, format: 'der', type: 'spki' }).asymmetricKeyType, 'ed25519');
  });

  it('unwraps a DER OCTET STRING around an EC point, and leaves a bare point alone', () => {
    const point = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]);
    assert.deepEqual(unwrapOctetString(Buffer.concat([Buffer.from([4, 65]), point])), point);
    assert.deepEqual(unwrapOctetString(point), point);
  });

  it('builds the PKCS#1 DigestInfo node:crypto signs over', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const data = Buffer.from('digest info');
    const signature = sign('sha384', data, privateKey);
    // Recover the signed block with a raw public-key operation and compare its tail.
    const block = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
    const expected = digestInfo('sha384', digest('sha384', data));
    assert.deepEqual(block.subarray(block.length - expected.length), expected);
  });
});

describe('session pool', () => {
  it('serves one operation per session and queues the rest in order', async () => {
    const pool = new SessionPool(['a', 'b']);
    const active = new Set<string>();
    const order: number[] = [];
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pool.use(async (session) => {
          assert.ok(!active.has(session), 'a session runs one operation at a time');
          active.add(session);
          peak = Math.max(peak, active.size);
          order.push(i);
          await new Promise((resolve) => setTimeout(resolve, 1));
          active.delete(session);
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });

  it('waits for running operations on drain and refuses new ones', async () => {
    const pool = new SessionPool(['only']);
    let finished = false;
    const running = pool.use(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    });
    const queued = assert.rejects(
      pool.use(() => 'never'),
      { code: 'HSM_FAILURE' },
    );
    await pool.drain();
    assert.equal(finished, true);
    await running;
    await queued;
    await assert.rejects(
      pool.use(() => 'late'),
      { code: 'HSM_FAILURE' },
    );
  });
});
