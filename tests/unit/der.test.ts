// The station's own DER encoder and reader (main/core/pki/der.ts) and the keyUsage BIT STRING,
// checked against byte strings from the standards (X.690, RFC 5280) rather than against itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DerError,
  decodeOid,
  decodeTime,
  oid,
  readNode,
  readOnly,
  smallInteger,
  tags,
  unsignedInteger,
  x509Time,
} from '../../main/core/pki/der';
import { decodeKeyUsage, keyUsageBits } from '../../main/core/pki/extensions/key-usage';
import type { KeyUsage } from '../../preload/contract';

const hex = (b: Buffer) => b.toString('hex');
const bytes = (h: string) => Buffer.from(h, 'hex');

describe('OBJECT IDENTIFIER', () => {
  // Encodings as `openssl asn1parse -genstr OID:…` writes them.
  const known: [string, string][] = [
    ['1.2.840.10045.3.1.7', '06082a8648ce3d030107'], // prime256v1
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'], // ecdsa-with-SHA256
    ['2.5.29.15', '0603551d0f'], // keyUsage
    ['1.3.132.0.34', '06052b81040022'], // secp384r1
    ['1.3.101.112', '06032b6570'], // Ed25519
    ['1.3.6.1.4.1.37244.2.1', '060a2b0601040182a27c0201'], // Matter VID
    ['1.3.6.1.4.1.37244.2.2', '060a2b0601040182a27c0202'], // Matter PID
    ['2.999.3', '0603883703'], // X.690's own example: first arcs 2.999 share one subidentifier
    ['1.2.840.113549.1.1.11', '06092a864886f70d01010b'], // sha256WithRSAEncryption
  ];

  for (const [dotted, encoding] of known) {
    it(`encodes ${dotted} as ${encoding} and decodes it back`, () => {
      const der = oid(dotted);
      assert.equal(hex(der), encoding);
      const node = readOnly(der);
      assert.equal(node.tag, tags.oid);
      assert.equal(decodeOid(node.content), dotted);
    });
  }

  it('round-trips arcs larger than 32 bits', () => {
    const dotted = '1.2.3.4294967296.5';
    assert.equal(decodeOid(readOnly(oid(dotted)).content), dotted);
  });

  it('refuses malformed dotted OIDs', () => {
    for (const bad of ['', '1', '3.1', '1.40', '1.2.03', '1..2', '1.2.-3', 'a.b']) {
      assert.throws(() => oid(bad), RangeError, bad);
    }
  });
});

describe('INTEGER', () => {
  it('strips leading zero bytes', () => {
    assert.equal(hex(unsignedInteger(bytes('0000007f'))), '02017f');
    assert.equal(hex(unsignedInteger(bytes('000102'))), '02020102');
  });

  it('adds 0x00 when the top bit is set, so the value stays positive', () => {
    assert.equal(hex(unsignedInteger(bytes('80'))), '02020080');
    assert.equal(hex(unsignedInteger(bytes('00ff01'))), '020300ff01');
    assert.equal(hex(unsignedInteger(bytes('7fff'))), '02027fff');
  });

  it('encodes zero as a single 0x00 byte, whatever the input length', () => {
    assert.equal(hex(unsignedInteger(bytes('0000'))), '020100');
    assert.equal(hex(unsignedInteger(Buffer.alloc(0))), '020100');
    assert.equal(hex(smallInteger(0)), '020100');
  });

  it('encodes small integers minimally', () => {
    assert.equal(hex(smallInteger(2)), '020102');
    assert.equal(hex(smallInteger(128)), '02020080');
    assert.equal(hex(smallInteger(256)), '02020100');
    assert.throws(() => smallInteger(-1), RangeError);
    assert.throws(() => smallInteger(1.5), RangeError);
  });

  it('uses the long length form from 128 content bytes on', () => {
    const der = unsignedInteger(Buffer.alloc(200, 0x11));
    assert.equal(hex(der.subarray(0, 3)), '0281c8');
    assert.equal(readOnly(der).content.length, 200);
  });
});

describe('X.509 Time', () => {
  it('is UTCTime up to 2049', () => {
    const der = x509Time(new Date('2049-12-31T23:59:59Z'));
    assert.equal(der[0], tags.utcTime);
    assert.equal(der.subarray(2).toString('latin1'), '491231235959Z');
  });

  it('is UTCTime from 1950', () => {
    const der = x509Time(new Date('1950-01-01T00:00:00Z'));
    assert.equal(der[0], tags.utcTime);
    assert.equal(der.subarray(2).toString('latin1'), '500101000000Z');
  });

  it('is GeneralizedTime from 2050', () => {
    const der = x509Time(new Date('2050-01-01T00:00:00Z'));
    assert.equal(der[0], tags.generalizedTime);
    assert.equal(der.subarray(2).toString('latin1'), '20500101000000Z');
  });

  it('is GeneralizedTime for 9999-12-31 23:59:59', () => {
    const der = x509Time(new Date(Date.UTC(9999, 11, 31, 23, 59, 59)));
    assert.equal(hex(der), hex(Buffer.concat([bytes('180f'), Buffer.from('99991231235959Z', 'latin1')])));
  });

  it('drops milliseconds and decodes back to the same second', () => {
    for (const iso of ['2049-06-15T12:34:56.789Z', '2050-06-15T12:34:56.789Z', '1999-01-02T03:04:05.000Z']) {
      const date = new Date(iso);
      const decoded = decodeTime(readOnly(x509Time(date)));
      assert.equal(decoded.getTime(), Math.floor(date.getTime() / 1000) * 1000, iso);
    }
  });
});

describe('reading DER', () => {
  it('reads one node with its header and content', () => {
    const node = readOnly(bytes('300602010102017f'));
    assert.equal(node.tag, tags.sequence);
    assert.equal(hex(node.content), '02010102017f');
    assert.equal(node.raw.length, 8);
  });

  it('readOnly refuses trailing bytes', () => {
    assert.throws(() => readOnly(bytes('02010100')), DerError);
    assert.throws(() => readOnly(bytes('0500ff')), DerError);
    // readNode alone reads the first node and leaves the rest to the caller.
    assert.equal(readNode(bytes('02010100')).raw.length, 3);
  });

  it('refuses non-minimal lengths', () => {
    // 5 content bytes announced in the long form: DER says short form.
    assert.throws(() => readNode(bytes('0481050102030405')), DerError);
    // a long-form length with a leading zero byte
    assert.throws(() => readNode(Buffer.concat([bytes('04820080'), Buffer.alloc(128)])), DerError);
    // the same 128 bytes minimally encoded are fine
    assert.equal(readNode(Buffer.concat([bytes('048180'), Buffer.alloc(128)])).content.length, 128);
  });

  it('refuses the indefinite length (BER, not DER)', () => {
    assert.throws(() => readNode(bytes('30800201010000')), DerError);
  });

  it('refuses truncated content and headers', () => {
    assert.throws(() => readNode(bytes('040501020304')), DerError);
    assert.throws(() => readNode(bytes('04')), DerError);
    assert.throws(() => readNode(bytes('0482')), DerError);
    assert.throws(() => readNode(bytes('048201')), DerError);
    assert.throws(() => readNode(Buffer.alloc(0)), DerError);
  });

  it('reads at an offset', () => {
    const node = readNode(bytes('0500020107'), 2);
    assert.equal(node.tag, tags.integer);
    assert.equal(hex(node.content), '07');
  });
});

describe('keyUsage BIT STRING', () => {
  const cases: [KeyUsage[], string][] = [
    [['digitalSignature'], '03020780'],
    [['keyCertSign', 'cRLSign'], '03020106'],
    [['digitalSignature', 'keyAgreement'], '03020388'],
    [['digitalSignature', 'keyEncipherment'], '030205a0'],
    [['keyCertSign', 'cRLSign', 'digitalSignature'], '03020186'],
  ];

  for (const [usages, expected] of cases) {
    it(`${usages.join('+')} is ${expected} and decodes back`, () => {
      const der = keyUsageBits(usages);
      assert.equal(hex(der), expected);
      const node = readOnly(der);
      assert.equal(node.tag, tags.bitString);
      assert.deepEqual(new Set(decodeKeyUsage(node.content)), new Set(usages));
    });
  }

  it('decodes a BIT STRING with nothing set as no usages', () => {
    assert.deepEqual(decodeKeyUsage(bytes('0700')), []);
  });
});
