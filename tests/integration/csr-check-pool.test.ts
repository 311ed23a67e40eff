// The CSR check pool reads and verifies a batch job's CSRs on worker threads: each verdict must be
// the one readCsr() gives on the main thread, for the row it was asked about, however the rows are
// batched across threads.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { isStationError } from '../../main/core/errors/station-error';
import { createCsrCheckPool } from '../../main/core/jobs/csr-check-pool';
import { readCsr } from '../../main/core/pki/csr';
import { bitString, oid, sequence, smallInteger, tlv } from '../../main/core/pki/der';
import { encodeName } from '../../main/core/pki/name';
import { oids } from '../../main/core/pki/oids';
import { toPem } from '../../main/core/pki/pem';
import { algorithmIdentifier } from '../../main/core/pki/signature-algorithms';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

function csr(
  name: string,
  options: { key?: typeof ec; spki?: Buffer; algorithm?: Buffer; hash?: string; tamper?: boolean } = {},
) {
  const key = options.key ?? ec;
  const spki = options.spki ?? key.publicKey.export({ format: 'der', type: 'spki' });
  const info = sequence(smallInteger(0), encodeName([{ type: 'CN', value: name }]), spki, tlv(0xa0, Buffer.alloc(0)));
  const signature = sign(options.hash ?? 'sha256', info, key.privateKey);
  if (options.tamper) signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 1;
  const algorithm = options.algorithm ?? algorithmIdentifier(key === rsa ? 'RSA-PKCS1-SHA256' : 'ECDSA-SHA256');
  return sequence(info, algorithm, bitString(signature));
}

/** A P-256 key whose point is not on the curve: its DER is well formed, OpenSSL refuses it. */
function offCurveSpki(): Buffer {
  const good = ec.publicKey.export({ format: 'der', type: 'spki' });
  const bad = Buffer.from(good);
  bad[bad.length - 1] = (bad.at(-1) ?? 0) ^ 0x01;
  return bad;
}

const cases: { label: string; bytes: Buffer }[] = [
  { label: 'EC, DER', bytes: csr('a') },
  { label: 'EC, PEM', bytes: Buffer.from(toPem('CERTIFICATE REQUEST', csr('b'))) },
  { label: 'RSA', bytes: csr('c', { key: rsa }) },
  { label: 'tampered signature', bytes: csr('d', { tamper: true }) },
  { label: 'SHA-1', bytes: csr('e', { hash: 'sha1', algorithm: sequence(oid('1.2.840.10045.4.1')) }) },
  {
    label: 'RSA signature labelled ECDSA',
    bytes: csr('f', { key: rsa, algorithm: algorithmIdentifier('ECDSA-SHA256') }),
  },
  { label: 'key off its curve', bytes: csr('g', { spki: offCurveSpki() }) },
  { label: 'not a CSR', bytes: Buffer.from('hello, not a request') },
  { label: 'oversized', bytes: Buffer.alloc(20_000, 0x30) },
  {
    label: 'unknown key type',
    bytes: csr('h', { spki: sequence(sequence(oid(oids.sha256)), bitString(Buffer.alloc(8))) }),
  },
];

async function mainThreadVerdict(bytes: Buffer): Promise<{ code: string; message: string } | null> {
  try {
    await readCsr(bytes);
    return null;
  } catch (error) {
    assert.ok(isStationError(error), String(error));
    return { code: error.code, message: error.message };
  }
}

describe('CSR check pool', () => {
  const pool = createCsrCheckPool(2);
  after(() => pool.close());

  it('gives each request the verdict readCsr() gives it', async () => {
    const expected = await Promise.all(cases.map(({ bytes }) => mainThreadVerdict(bytes)));
    // The cases cover acceptance and each kind of refusal.
    assert.deepEqual([...new Set(expected.map((v) => v?.code ?? 'accepted'))].sort(), [
      'CSR_INVALID',
      'CSR_SIGNATURE_INVALID',
      'PUBLIC_KEY_INVALID',
      'accepted',
    ]);
    const verdicts = await Promise.all(cases.map(({ bytes }) => pool.check(bytes)));
    verdicts.forEach((verdict, i) => {
      const label = cases[i]?.label;
      const want = expected[i];
      if (!want) return assert.equal(verdict, undefined, `${label}: accepted on the main thread`);
      assert.ok(verdict, `${label}: refused on the main thread with ${want.code}`);
      assert.equal(verdict.code, want.code, label);
      assert.equal(verdict.message, want.message, label);
    });
  });

  it('answers each of many requests with its own verdict, whatever batch and thread took it', async () => {
    // 500 requests, every seventh tampered: more than one batch per thread, interleaved.
    const requests = Array.from({ length: 500 }, (_, i) => ({
      bad: i % 7 === 3,
      bytes: csr(`dev-${i}`, { tamper: i % 7 === 3 }),
    }));
    const verdicts = await Promise.all(requests.map(({ bytes }) => pool.check(bytes)));
    verdicts.forEach((verdict, i) => {
      assert.equal(verdict?.code, requests[i]?.bad ? 'CSR_SIGNATURE_INVALID' : undefined, `request ${i}`);
    });
  });

  it('refuses checks once closed', async () => {
    const closing = createCsrCheckPool(1);
    assert.equal(await closing.check(csr('x')), undefined);
    await closing.close();
    await assert.rejects(closing.check(csr('y')), /closed/);
  });
});
