import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { isStationError } from '../../main/core/errors/station-error';
import { encodeCertificate, encodeTbs } from '../../main/core/pki/certificate';
import { checkRecipient, envelope } from '../../main/core/pki/cms-enveloped-data';
import { oid, sequence, setOf, utf8String, x509Time } from '../../main/core/pki/der';
import { ecKeyPairPkcs8Pem } from '../../main/core/pki/ec-key-export';
import { oids } from '../../main/core/pki/oids';
import { pkcs12 } from '../../main/core/pki/pkcs12';
import { openssl, opensslStatus } from '../helpers/pki';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('trustline-cms-');

interface TestCertificate {
  certFile: string;
  keyFile: string;
  der: Buffer;
}

/** A self-signed certificate and its key, made by `openssl req -x509` as a recipient would make them. */
function makeCertificate(name: string, keyArgs: string[], extensions: string[] = []): TestCertificate {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  const addExt = extensions.flatMap((e) => ['-addext', e]);
  openssl([
    'req',
    '-x509',
    ...keyArgs,
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    `/CN=${name}`,
    '-days',
    '30',
    ...addExt,
  ]);
  return { certFile, keyFile, der: new X509Certificate(readFileSync(certFile)).raw };
}

const ecKey = (curve: string) => ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${curve}`];
const rsaKey = (bits: number) => ['-newkey', `rsa:${bits}`];

/** The refusal `checkRecipient` must give: RECIPIENT_UNUSABLE at check-recipient; returns its message. */
function refusal(der: Buffer): string {
  try {
    checkRecipient(der);
  } catch (error) {
    assert.ok(isStationError(error), String(error));
    assert.equal(error.code, 'RECIPIENT_UNUSABLE');
    assert.equal(error.step, 'check-recipient');
    return error.message;
  }
  return assert.fail('checkRecipient should have refused the certificate');
}

const spkiOf = (key: KeyObject): Buffer =>
  (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });

/** Microseconds per call of `run`, over `calls` calls. */
function timePerCall(calls: number, run: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) run();
  return Number(process.hrtime.bigint() - start) / 1000 / calls;
}

describe('CMS EnvelopedData for device private keys', () => {
  const recipients: { name: string; keyArgs: string[]; extensions?: string[]; scheme: RegExp }[] = [
    { name: 'rsa-2048', keyArgs: rsaKey(2048), scheme: /rsaesOaep/ },
    { name: 'rsa-3072', keyArgs: rsaKey(3072), extensions: ['keyUsage=keyEncipherment'], scheme: /rsaesOaep/ },
    { name: 'ec-p256', keyArgs: ecKey('P-256'), extensions: ['keyUsage=keyAgreement'], scheme: /sha256kdf/ },
    { name: 'ec-p384', keyArgs: ecKey('P-384'), scheme: /sha384kdf/ },
    { name: 'ec-p521', keyArgs: ecKey('P-521'), scheme: /sha384kdf/ },
  ];

  for (const { name, keyArgs, extensions, scheme } of recipients) {
    it(`envelopes a device key for an ${name} recipient that openssl cms -decrypt opens`, () => {
      const recipientCert = makeCertificate(name, keyArgs, extensions);
      const recipient = checkRecipient(recipientCert.der);
      assert.equal(recipient.kind, name.startsWith('rsa') ? 'rsa' : 'ec');

      const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const plaintext = Buffer.from(device.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      const enveloped = envelope(plaintext, recipient);
      assert.equal(enveloped.indexOf(plaintext.subarray(28, 60)), -1, 'the key must not appear in clear');

      const envelopedFile = path.join(dir, `${name}.cms`);
      const decryptedFile = path.join(dir, `${name}.decrypted`);
      writeFileSync(envelopedFile, enveloped);
      openssl(
        ['cms', '-decrypt', '-inform', 'DER', '-in', envelopedFile, '-recip', recipientCert.certFile].concat([
          '-inkey',
          recipientCert.keyFile,
          '-out',
          decryptedFile,
        ]),
      );
      const decrypted = readFileSync(decryptedFile);
      assert.deepEqual(decrypted, plaintext);
      assert.deepEqual(spkiOf(createPrivateKey(decrypted)), spkiOf(device.publicKey));

      const structure = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', envelopedFile]);
      assert.match(structure, scheme);
      assert.match(structure, /aes-256-cbc/);
      if (recipient.kind === 'ec') assert.match(structure, /id-aes256-wrap/);
      assert.match(structure, new RegExp(`issuer: CN=${name}`));
    });
  }

  it('puts a fresh content key and IV in every envelope', () => {
    const recipient = checkRecipient(makeCertificate('ec-fresh', ecKey('P-256')).der);
    const a = envelope(Buffer.from('same'), recipient);
    const b = envelope(Buffer.from('same'), recipient);
    assert.notDeepEqual(a.subarray(-32), b.subarray(-32));
  });

  it('makes a new station key and a new ephemeral key for every envelope, one thread reusing its curve object', () => {
    const recipientCert = makeCertificate('ec-ephemeral', ecKey('P-256'));
    const recipient = checkRecipient(recipientCert.der);
    // As the station key thread does: a station key, then its envelope, twice.
    const sealed = [0, 1].map((i) => {
      const { spki, pkcs8Pem } = ecKeyPairPkcs8Pem('P-256');
      const file = path.join(dir, `ephemeral-${i}.cms`);
      writeFileSync(file, envelope(pkcs8Pem, recipient));
      const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file]);
      const block = /originatorKey:[\s\S]*?publicKey:[^\n]*\n([\s\S]*?)\n\s*ukm:/.exec(printed)?.[1] ?? '';
      const ephemeral = Buffer.from(
        [...block.matchAll(/^\s*[0-9a-f]{4} - ([0-9a-f -]+?)\s{2,}/gm)].map((m) => m[1]?.replace(/[ -]/g, '')).join(''),
        'hex',
      );
      assert.equal(ephemeral.length, 65, printed);
      const opened = openssl(['cms', '-decrypt', '-inform', 'DER', '-in', file, '-inkey', recipientCert.keyFile]);
      assert.deepEqual(spkiOf(createPrivateKey(opened)), spki);
      return { point: spki.subarray(-65), ephemeral };
    });
    const points = sealed.flatMap(({ point, ephemeral }) => [point.toString('hex'), ephemeral.toString('hex')]);
    assert.equal(new Set(points).size, 4, 'two station keys and two ephemeral keys, all different');
  });

  it('refuses an Ed25519 recipient', () => {
    const message = refusal(makeCertificate('ed25519', ['-newkey', 'ed25519']).der);
    assert.match(message, /Ed25519/);
  });

  it('refuses an RSA-1024 recipient', () => {
    const message = refusal(makeCertificate('rsa-1024', rsaKey(1024)).der);
    assert.match(message, /1024 bits, too weak/);
  });

  it('refuses an EC recipient whose key usage is digitalSignature only', () => {
    const message = refusal(makeCertificate('ec-sign-only', ecKey('P-256'), ['keyUsage=digitalSignature']).der);
    assert.match(message, /does not allow key agreement \(its key usage is digitalSignature\)/);
  });

  it('refuses an RSA recipient whose key usage lacks keyEncipherment', () => {
    const message = refusal(makeCertificate('rsa-sign-only', rsaKey(2048), ['keyUsage=digitalSignature']).der);
    assert.match(message, /does not allow key encipherment/);
  });

  it('refuses an EC recipient on a curve other than P-256, P-384 and P-521', () => {
    const message = refusal(makeCertificate('ec-k256', ecKey('secp256k1')).der);
    assert.match(message, /secp256k1.*only P-256, P-384 and P-521/);
  });

  it('refuses an expired recipient certificate and gives its dates', () => {
    // openssl 3.0's req and x509 cannot back-date a certificate, so it is encoded here and self-signed.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const name = sequence(setOf(sequence(oid(oids.commonName), utf8String('expired'))));
    const signatureAlgorithm = sequence(oid(oids.ecdsaWithSha256));
    const tbs = encodeTbs({
      serial: Buffer.from([0x01, 0x23]),
      signatureAlgorithm,
      issuer: name,
      notBefore: x509Time(new Date('2020-01-01T00:00:00Z')),
      notAfter: x509Time(new Date('2021-01-01T00:00:00Z')),
      subject: name,
      spki: spkiOf(publicKey),
      extensions: [],
    });
    const der = encodeCertificate(tbs, signatureAlgorithm, sign('sha256', tbs, privateKey));
    assert.ok(new X509Certificate(der).verify(publicKey), 'the test certificate itself must be sound');
    const message = refusal(der);
    assert.match(message, /expired on 2021-01-01 \(valid from 2020-01-01 to 2021-01-01\)/);
  });

  it('refuses bytes that are not a certificate', () => {
    assert.match(refusal(randomBytes(200)), /not a DER-encoded X\.509 certificate/);
    assert.match(refusal(Buffer.alloc(0)), /not a DER-encoded X\.509 certificate/);
    const csr = path.join(dir, 'not-a-cert.csr');
    openssl([
      'req',
      '-new',
      ...ecKey('P-256'),
      '-nodes',
      '-keyout',
      path.join(dir, 'csr.key'),
      '-out',
      csr,
      '-subj',
      '/CN=x',
    ]);
    const csrDer = execFileSync('openssl', ['req', '-in', csr, '-outform', 'DER']);
    assert.match(refusal(csrDer), /not a DER-encoded X\.509 certificate/);
  });

  it('measures envelope() per call', () => {
    const plaintext = Buffer.from(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    const p256 = checkRecipient(makeCertificate('bench-p256', ecKey('P-256')).der);
    const rsa = checkRecipient(makeCertificate('bench-rsa', rsaKey(2048)).der);
    const p256Micros = timePerCall(500, () => envelope(plaintext, p256));
    const rsaMicros = timePerCall(500, () => envelope(plaintext, rsa));
    console.log(`envelope(): EC P-256 ${p256Micros.toFixed(0)} µs/call, RSA-2048 ${rsaMicros.toFixed(0)} µs/call`);
  });
});

describe('PKCS#12 for a device key and its certificates', () => {
  let root: TestCertificate;
  let issuing: TestCertificate;
  let deviceKey: KeyObject;
  let deviceCert: Buffer;

  before(() => {
    root = makeCertificate('p12-root', ecKey('P-256'));
    // An issuing CA signed by the root, and the device certificate signed by the issuing CA.
    const issuingKey = path.join(dir, 'p12-issuing.key');
    const issuingCsr = path.join(dir, 'p12-issuing.csr');
    const issuingCert = path.join(dir, 'p12-issuing.pem');
    openssl([
      'req',
      '-new',
      ...ecKey('P-256'),
      '-nodes',
      '-keyout',
      issuingKey,
      '-out',
      issuingCsr,
      '-subj',
      '/CN=p12-issuing',
    ]);
    openssl(
      ['x509', '-req', '-in', issuingCsr, '-CA', root.certFile, '-CAkey', root.keyFile, '-days', '30'].concat([
        '-out',
        issuingCert,
      ]),
    );
    issuing = { certFile: issuingCert, keyFile: issuingKey, der: new X509Certificate(readFileSync(issuingCert)).raw };

    deviceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const deviceKeyFile = path.join(dir, 'p12-device.key');
    const deviceCsr = path.join(dir, 'p12-device.csr');
    const deviceCertFile = path.join(dir, 'p12-device.pem');
    writeFileSync(deviceKeyFile, deviceKey.export({ format: 'pem', type: 'pkcs8' }));
    openssl(['req', '-new', '-key', deviceKeyFile, '-out', deviceCsr, '-subj', '/CN=device-0001']);
    openssl(
      ['x509', '-req', '-in', deviceCsr, '-CA', issuing.certFile, '-CAkey', issuing.keyFile, '-days', '30'].concat([
        '-out',
        deviceCertFile,
      ]),
    );
    deviceCert = new X509Certificate(readFileSync(deviceCertFile)).raw;
  });

  function writePkcs12(name: string, passcode: string): string {
    const file = path.join(dir, `${name}.p12`);
    const pfx = pkcs12({
      privateKey: deviceKey,
      certificate: deviceCert,
      chain: [issuing.der, root.der],
      passcode,
      friendlyName: 'device-0001',
    });
    writeFileSync(file, pfx);
    return file;
  }

  it('opens in openssl pkcs12 with the passcode, with the key, its certificate and the chain', () => {
    const file = writePkcs12('device', 'correct horse 42');
    const text = openssl(['pkcs12', '-in', file, '-nodes', '-passin', 'pass:correct horse 42']);

    const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(text)?.[0];
    assert.ok(keyPem, text);
    assert.deepEqual(spkiOf(createPrivateKey(keyPem)), spkiOf(new X509Certificate(deviceCert).publicKey));

    const certificates = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)].map(
      (m) => new X509Certificate(m[0]).raw.toString('hex'),
    );
    assert.deepEqual(certificates.sort(), [deviceCert, issuing.der, root.der].map((d) => d.toString('hex')).sort());

    // friendlyName and localKeyId (the certificate's SHA-1) on the key bag and the leaf's certificate bag.
    const localKeyId = createHash('sha1').update(deviceCert).digest('hex').toUpperCase().match(/../g)!.join(' ');
    assert.equal(text.match(/friendlyName: device-0001/g)?.length, 2, text);
    assert.equal(text.match(new RegExp(`localKeyID: ${localKeyId}`, 'g'))?.length, 2, text);
  });

  it('uses PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) for the key and an HMAC-SHA-256 MAC', () => {
    const file = writePkcs12('device-info', 'sesame');
    const info = opensslStatus(['pkcs12', '-info', '-in', file, '-noout', '-passin', 'pass:sesame']);
    assert.ok(info.ok, info.output);
    assert.match(info.output, /MAC: sha256, Iteration 10000/);
    assert.match(info.output, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/);
    assert.equal(info.output.match(/Certificate bag/g)?.length, 3);
  });

  it('fails the MAC check with a wrong passcode', () => {
    const file = writePkcs12('device-wrong', 'right passcode');
    const opened = opensslStatus(['pkcs12', '-in', file, '-nodes', '-passin', 'pass:wrong passcode']);
    assert.equal(opened.ok, false);
    assert.match(opened.output, /Mac verify error/);
  });

  it('takes a passcode beyond ASCII as openssl does', () => {
    const file = writePkcs12('device-utf8', 'Grüße-Äpfel');
    // The MAC takes the passcode as UTF-16, the key's PBKDF2 as UTF-8: both must open.
    const opened = opensslStatus(['pkcs12', '-in', file, '-nodes', '-passin', 'pass:Grüße-Äpfel']);
    assert.ok(opened.ok, opened.output);
    assert.match(opened.output, /-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses an empty passcode and a key that is not the certificate’s', () => {
    const refused = (input: Parameters<typeof pkcs12>[0], message: RegExp) =>
      assert.throws(
        () => pkcs12(input),
        (error: unknown) => isStationError(error) && error.code === 'INVALID_INPUT' && message.test(error.message),
      );
    const input = { privateKey: deviceKey, certificate: deviceCert, chain: [], passcode: 'x', friendlyName: 'd' };
    refused({ ...input, passcode: '' }, /needs a passcode/);
    refused({ ...input, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }, /does not belong/);
  });

  it('measures pkcs12() per call', () => {
    const input = {
      privateKey: deviceKey,
      certificate: deviceCert,
      chain: [issuing.der, root.der],
      passcode: 'sesame',
      friendlyName: 'd',
    };
    const micros = timePerCall(50, () => pkcs12(input));
    console.log(
      `pkcs12(): ${(micros / 1000).toFixed(1)} ms/call at 10,000 iterations (${((micros * 10_000) / 1e6).toFixed(0)} s per 10,000 files on one core)`,
    );
  });
});
