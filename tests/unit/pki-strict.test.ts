// Encodings that are almost right must be refused: whatever the station signs or trusts must be
// exactly what openssl and devices read.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseCertificate } from '../../main/core/pki/certificate';
import { readCsr } from '../../main/core/pki/csr';
import {
  bitString,
  decodeOid,
  decodeTime,
  derNull,
  oid,
  readOnly,
  sequence,
  smallInteger,
  tags,
  tlv,
} from '../../main/core/pki/der';
import { encodeName } from '../../main/core/pki/name';
import { oids } from '../../main/core/pki/oids';
import { describeCheckedPublicKey, importPublicKey, readPublicKey } from '../../main/core/pki/public-key';
import { algorithmIdentifier } from '../../main/core/pki/signature-algorithms';
import { isStationError, type StationError } from '../../main/core/errors/station-error';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecSpki = ec.publicKey.export({ format: 'der', type: 'spki' });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isStationError(error) ? error.code : `not a station error: ${String(error)}`;
  }
  return 'accepted';
}

async function csrCode(der: Buffer): Promise<string> {
  try {
    await readCsr(der);
  } catch (error) {
    return isStationError(error) ? error.code : `not a station error: ${String(error)}`;
  }
  return 'accepted';
}

/** A CSR whose parts the test controls. */
function csr(options: { info?: Buffer; algorithm?: Buffer; signatureBits?: Buffer; signer?: 'ec' | 'rsa' } = {}) {
  const info =
    options.info ??
    sequence(smallInteger(0), encodeName([{ type: 'CN', value: 'd' }]), ecSpki, tlv(0xa0, Buffer.alloc(0)));
  const signature = sign('sha256', info, ec.privateKey);
  return sequence(
    info,
    options.algorithm ?? algorithmIdentifier('ECDSA-SHA256'),
    options.signatureBits ?? bitString(signature),
  );
}

describe('strict public keys', () => {
  it('accepts a canonical P-256 key as is', () => {
    const key = readPublicKey(ecSpki);
    assert.equal(key.type, 'EC-P256');
    assert.ok(key.spki.equals(ecSpki));
  });

  it('refuses extra elements in the key and its algorithm identifier', () => {
    const [algorithm, bits] = [ecSpki.subarray(2, 2 + 21), ecSpki.subarray(2 + 21)];
    assert.equal(
      codeOf(() => readPublicKey(sequence(algorithm, bits, derNull()))),
      'PUBLIC_KEY_INVALID',
    );
    const longAlgorithm = sequence(oid(oids.ecPublicKey), oid(oids.p256), derNull());
    assert.equal(
      codeOf(() => readPublicKey(sequence(longAlgorithm, bits))),
      'PUBLIC_KEY_INVALID',
    );
  });

  it('refuses an RSA key with a negative modulus or an extra INTEGER', () => {
    const rsa = (numbers: Buffer[]) =>
      sequence(sequence(oid(oids.rsaEncryption), derNull()), bitString(sequence(...numbers)));
    const modulus = Buffer.concat([Buffer.from([0xc0]), Buffer.alloc(255, 1)]);
    const exponent = tlv(tags.integer, Buffer.from([1, 0, 1]));
    assert.equal(
      codeOf(() => readPublicKey(rsa([tlv(tags.integer, modulus), exponent]))),
      'PUBLIC_KEY_INVALID',
    );
    const positive = tlv(tags.integer, Buffer.concat([Buffer.from([0]), modulus]));
    assert.equal(
      codeOf(() => readPublicKey(rsa([positive, exponent]))),
      'accepted',
    );
    assert.equal(
      codeOf(() => readPublicKey(rsa([positive, exponent, exponent]))),
      'PUBLIC_KEY_INVALID',
    );
  });
});

describe('checked public keys (a batch row read again at issue)', () => {
  it('describes a key as readPublicKey() does, without importing it', () => {
    const keys = [
      ecSpki,
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'der', type: 'spki' }),
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' }),
      generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }),
    ];
    for (const spki of keys) {
      const { type, bits, label } = readPublicKey(spki);
      const described = describeCheckedPublicKey(spki);
      assert.deepEqual({ type: described.type, bits: described.bits, label: described.label }, { type, bits, label });
      assert.ok(described.spki.equals(spki));
      assert.equal('key' in described, false, 'no KeyObject: OpenSSL was not asked');
    }
  });

  it('still refuses DER that is not a key, but leaves the curve check to the import it skips', () => {
    assert.equal(
      codeOf(() => describeCheckedPublicKey(sequence(oid(oids.ecPublicKey)))),
      'PUBLIC_KEY_INVALID',
    );
    const offCurve = Buffer.from(ecSpki);
    offCurve[offCurve.length - 1] = (offCurve.at(-1) ?? 0) ^ 1;
    assert.equal(
      codeOf(() => readPublicKey(offCurve)),
      'PUBLIC_KEY_INVALID',
    );
    assert.equal(
      codeOf(() => describeCheckedPublicKey(offCurve)),
      'accepted',
    );
  });
});

describe('public keys imported on a checking thread', () => {
  const publicKeyError = (run: () => unknown) => {
    try {
      run();
      return 'accepted';
    } catch (error) {
      return `${(error as StationError).code}: ${(error as StationError).message}`;
    }
  };
  const importError = async (spki: Buffer) => {
    try {
      await importPublicKey(spki);
      return 'accepted';
    } catch (error) {
      return `${(error as StationError).code}: ${(error as StationError).message}`;
    }
  };

  it('gives the key readPublicKey() gives, on every curve and type', async () => {
    const pairs = [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      generateKeyPairSync('ec', { namedCurve: 'P-521' }),
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
      generateKeyPairSync('ed25519'),
    ];
    for (const { publicKey, privateKey } of pairs) {
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      const imported = await importPublicKey(spki);
      const read = readPublicKey(spki);
      assert.deepEqual(
        { type: imported.type, bits: imported.bits, label: imported.label },
        { type: read.type, bits: read.bits, label: read.label },
      );
      assert.ok(imported.key.export({ format: 'der', type: 'spki' }).equals(spki), read.label);
      // The imported key verifies what its private half signed, and nothing else.
      const data = Buffer.from('to be signed');
      const algorithm = read.type === 'Ed25519' ? null : 'sha256';
      const signature = sign(algorithm, data, privateKey);
      assert.equal(verify(algorithm, data, imported.key, signature), true, read.label);
      assert.equal(verify(algorithm, Buffer.from('something else'), imported.key, signature), false, read.label);
    }
  });

  it('refuses what readPublicKey() refuses, with the same code and message', async () => {
    const offCurve = Buffer.from(ecSpki);
    offCurve[offCurve.length - 1] = (offCurve.at(-1) ?? 0) ^ 1;
    const compressed = Buffer.from(ecSpki);
    compressed[compressed.length - 65] = 0x02;
    for (const spki of [offCurve, compressed, sequence(oid(oids.ecPublicKey)), Buffer.from('not a key')]) {
      const expected = publicKeyError(() => readPublicKey(spki));
      assert.match(expected, /^PUBLIC_KEY_INVALID: /);
      assert.equal(await importError(spki), expected);
    }
  });
});

describe('strict CSRs', () => {
  it('accepts a well-formed request', async () => {
    assert.equal(await csrCode(csr()), 'accepted');
  });

  it('refuses a signature BIT STRING with unused bits', async () => {
    const info = sequence(
      smallInteger(0),
      encodeName([{ type: 'CN', value: 'd' }]),
      ecSpki,
      tlv(0xa0, Buffer.alloc(0)),
    );
    const signature = sign('sha256', info, ec.privateKey);
    assert.equal(await csrCode(csr({ info, signatureBits: bitString(signature, 7) })), 'CSR_INVALID');
  });

  it('refuses a request without its [0] attributes', async () => {
    const info = sequence(smallInteger(0), encodeName([{ type: 'CN', value: 'd' }]), ecSpki);
    assert.equal(await csrCode(csr({ info })), 'CSR_INVALID');
  });

  it('refuses a signature whose algorithm names another key type', async () => {
    assert.equal(await csrCode(csr({ algorithm: algorithmIdentifier('RSA-PKCS1-SHA256') })), 'CSR_SIGNATURE_INVALID');
  });
});

describe('strict DER values', () => {
  it('refuses padded or truncated OID arcs', () => {
    assert.equal(decodeOid(Buffer.from('551d13', 'hex')), '2.5.29.19');
    assert.throws(() => decodeOid(Buffer.from('551d8013', 'hex')));
    assert.throws(() => decodeOid(Buffer.from('551d81', 'hex')));
  });

  it('refuses times that do not exist', () => {
    const time = (text: string) => readOnly(tlv(tags.generalizedTime, Buffer.from(text, 'latin1')));
    assert.equal(decodeTime(time('20310228000000Z')).toISOString(), '2031-02-28T00:00:00.000Z');
    assert.throws(() => decodeTime(time('20310230000000Z')));
    assert.throws(() => decodeTime(time('20311301000000Z')));
  });

  it('refuses a certificate with an extension twice or a negative pathLen', () => {
    const cert = (extensions: Buffer[]) =>
      sequence(
        sequence(
          tlv(0xa0, smallInteger(2)),
          smallInteger(1),
          algorithmIdentifier('ECDSA-SHA256'),
          encodeName([{ type: 'CN', value: 'x' }]),
          sequence(tlv(tags.utcTime, Buffer.from('250101000000Z')), tlv(tags.utcTime, Buffer.from('350101000000Z'))),
          encodeName([{ type: 'CN', value: 'x' }]),
          ecSpki,
          tlv(0xa3, sequence(...extensions)),
        ),
        algorithmIdentifier('ECDSA-SHA256'),
        bitString(Buffer.alloc(8)),
      );
    const bc = (value: Buffer) => sequence(oid(oids.basicConstraints), tlv(tags.octetString, value));
    const ok = bc(sequence(tlv(tags.boolean, Buffer.from([0xff])), smallInteger(1)));
    assert.equal(parseCertificate(cert([ok])).basicConstraints?.pathLength, 1);
    assert.throws(() => parseCertificate(cert([ok, ok])));
    const negative = bc(sequence(tlv(tags.boolean, Buffer.from([0xff])), tlv(tags.integer, Buffer.from([0xff]))));
    assert.throws(() => parseCertificate(cert([negative])));
  });
});
