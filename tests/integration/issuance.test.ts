import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CallInput, ErrorCode, IssuedCertificate, Policy } from '../../preload/contract';
import { openStation, type Station } from '../../main/core/station';
import { admin, call, makeCsr, openssl, opensslStatus, refused, setUpCa, type TestCa } from '../helpers/pki';
import { rowCounts } from '../helpers/station';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir();
let station: Station;
let ca: TestCa;
let tls: Policy;

/** Issues, writes the certificate to disk and checks it with `openssl verify` against its chain. */
async function issueAndVerify(
  input: CallInput<'certificates.issue'>,
): Promise<{ issued: IssuedCertificate; text: string }> {
  const issued = await call(station, 'certificates.issue', input);
  const file = path.join(dir, `${issued.serialNumber}.pem`);
  writeFileSync(file, issued.pem);
  const verified = opensslStatus(['verify', '-CAfile', ca.rootFile, '-untrusted', ca.chainFile, file]);
  assert.ok(verified.ok, verified.output);
  assert.match(verified.output, /: OK/);
  return { issued, text: openssl(['x509', '-in', file, '-noout', '-text']) };
}

/** The X509v3 extension names `openssl x509 -text` lists, with their criticality. */
function extensionsOf(text: string): string[] {
  return [...text.matchAll(/^ {12}(X509v3 [^:\n]+|Authority Information Access|[\d.]+): ?(critical)?$/gm)].map(
    (m) => `${m[1]}${m[2] ? ' critical' : ''}`,
  );
}

before(async () => {
  station = openStation(path.join(dir, 'station'), { keyStore: { pin: '1234' } });
  ca = await setUpCa(station, dir);
  tls = await call(station, 'policies.create', {
    preset: 'tls-client',
    body: { name: 'TLS', issuingCaId: ca.issuingId },
  });
});

after(async () => {
  await station.close();
});

describe('issuance engine', () => {
  it('issues from an openssl CSR a certificate that openssl verifies, with exactly the policy extensions', async () => {
    const { csrPem } = makeCsr(dir, 'p256', 'P-256', '/CN=ignored-by-policy');
    const { issued, text } = await issueAndVerify({ policyId: tls.id, csrPem, attributes: { serial: '000123' } });
    assert.equal(issued.subject, 'CN=000123');
    assert.match(text, /Subject: CN = 000123\n/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.deepEqual(extensionsOf(text), [
      'X509v3 Basic Constraints critical',
      'X509v3 Key Usage critical',
      'X509v3 Extended Key Usage',
      'X509v3 Authority Key Identifier',
      'X509v3 Subject Key Identifier',
    ]);
    assert.match(text, /Key Usage: critical\n\s+Digital Signature\n/);
    assert.match(text, /TLS Web Client Authentication/);
    assert.match(text, /CA:FALSE/);
    // A positive serial of 16 bytes, as openssl prints it.
    assert.match(text, /Serial Number:\n\s+([0-9a-f]{2}:){15}[0-9a-f]{2}\n/);
    assert.equal(issued.serialNumber.length, 32);
    assert.equal(issued.keyType, 'EC P-256');
  });

  it('records the certificate and its audit entry before returning it', async () => {
    const { csrPem } = makeCsr(dir, 'recorded', 'P-256');
    const before = rowCounts(station.db);
    const issued = await call(station, 'certificates.issue', {
      policyId: tls.id,
      csrPem,
      attributes: { serial: 'R1' },
    });
    const row = station.db
      .prepare('SELECT der, serial, policy_id, ca_id FROM certificates WHERE id = ?')
      .get(issued.id) as {
      der: Buffer;
      serial: string;
      policy_id: string;
      ca_id: string;
    };
    assert.equal(row.serial, issued.serialNumber);
    assert.equal(row.policy_id, tls.id);
    assert.equal(row.ca_id, ca.issuingId);
    // What is stored is the very certificate that was returned.
    const derFile = path.join(dir, 'stored.der');
    writeFileSync(derFile, row.der);
    assert.equal(openssl(['x509', '-inform', 'DER', '-in', derFile]), issued.pem);
    const audit = station.db
      .prepare("SELECT details FROM audit_log WHERE action = 'certificate.issued' AND subject = ?")
      .get(issued.id) as { details: string };
    assert.equal(JSON.parse(audit.details).serial, issued.serialNumber);
    const afterCounts = rowCounts(station.db);
    assert.equal(afterCounts.certificates, (before.certificates ?? 0) + 1);
    assert.equal(afterCounts.audit_log, (before.audit_log ?? 0) + 1);
    const listed = await call(station, 'certificates.list', {});
    assert.equal(listed[0]?.id, issued.id);
    // A time-ordered id (UUID v7) whose time is the issuing moment: the recorder's commits stay at
    // the end of the id indexes.
    assert.match(issued.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const idTime = Number.parseInt(issued.id.slice(0, 8) + issued.id.slice(9, 13), 16);
    assert.ok(Math.abs(idTime - Date.now()) < 60_000, `id time ${new Date(idTime).toISOString()}`);
  });

  it('accepts P-384, RSA-2048 and public keys where the policy allows them', async () => {
    await issueAndVerify({
      policyId: tls.id,
      csrPem: makeCsr(dir, 'p384', 'P-384').csrPem,
      attributes: { serial: 'A' },
    });
    const rsa = await issueAndVerify({
      policyId: tls.id,
      csrPem: makeCsr(dir, 'rsa', 'RSA-2048').csrPem,
      attributes: { serial: 'B' },
    });
    assert.equal(rsa.issued.keyType, 'RSA 2048');
    const { keyFile } = makeCsr(dir, 'pub', 'P-256');
    const publicKeyPem = openssl(['pkey', '-in', keyFile, '-pubout']);
    const pub = await issueAndVerify({ policyId: tls.id, publicKeyPem, attributes: { serial: 'C' } });
    // The certificate carries the very key that was given.
    const certKey = openssl(['x509', '-noout', '-pubkey'], pub.issued.pem);
    assert.equal(certKey, publicKeyPem);
  });

  it('links a managed device and fills the template from its attributes and name', async () => {
    const group = await call(station, 'deviceGroups.create', { name: 'Line 1' });
    const device = await call(station, 'devices.register', {
      name: 'gw-001',
      groupId: group.id,
      attributes: { serial: '000777', mac: '00:11:22:33:44:55' },
    });
    const policy = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: {
        name: 'Gateways',
        issuingCaId: ca.issuingId,
        subject: [
          { type: 'O', value: 'Acme' },
          { type: 'OU', value: 'Gateways' },
          { type: 'OU', value: 'Line 1' },
          { type: 'CN', value: '{device.name}' },
          { type: 'serialNumber', value: '{attr.serial}' },
        ],
        subjectAltNames: [
          { type: 'uri', value: 'urn:dev:mac:{attr.mac}' },
          { type: 'dns', value: '{device.name}.devices.example' },
        ],
        crlDistributionPoint: 'http://crl.example/issuing.crl',
        authorityInfoAccess: { caIssuers: 'http://pki.example/issuing.crt', ocsp: 'http://ocsp.example' },
        certificatePolicies: ['1.3.6.1.4.1.99999.1.2'],
        validity: { kind: 'fixed', notAfter: '99991231235959Z' },
      },
    });
    const { issued, text } = await issueAndVerify({
      policyId: policy.id,
      csrPem: makeCsr(dir, 'gw', 'P-256').csrPem,
      deviceId: device.id,
    });
    assert.equal(issued.deviceId, device.id);
    assert.match(text, /Subject: O = Acme, OU = Gateways, OU = Line 1, CN = gw-001, serialNumber = 000777\n/);
    assert.match(text, /URI:urn:dev:mac:00:11:22:33:44:55, DNS:gw-001.devices.example/);
    assert.match(text, /Not After : Dec 31 23:59:59 9999 GMT/);
    assert.match(text, /URI:http:\/\/crl.example\/issuing.crl/);
    assert.match(text, /OCSP - URI:http:\/\/ocsp.example/);
    assert.match(text, /CA Issuers - URI:http:\/\/pki.example\/issuing.crt/);
    assert.match(text, /Policy: 1.3.6.1.4.1.99999.1.2/);
    // A request may not contradict the device record, and a disabled device gets nothing.
    await refused(
      station,
      'certificates.issue',
      {
        policyId: policy.id,
        csrPem: makeCsr(dir, 'gw-x', 'P-256').csrPem,
        deviceId: device.id,
        attributes: { serial: '999' },
      },
      'INVALID_INPUT',
    );
    await call(station, 'devices.setStatus', { id: device.id, status: 'Disabled' });
    await refused(
      station,
      'certificates.issue',
      { policyId: policy.id, csrPem: makeCsr(dir, 'gw-y', 'P-256').csrPem, deviceId: device.id },
      'DEVICE_DISABLED',
    );
    await call(station, 'devices.setStatus', { id: device.id, status: 'Enabled' });
    const listed = await call(station, 'certificates.list', { deviceId: device.id });
    assert.deepEqual(
      listed.map((c) => c.id),
      [issued.id],
    );
  });

  it('takes CSR values only where the template names them, and refuses a CSR subject the policy does not grant', async () => {
    const policy = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: {
        name: 'From CSR',
        issuingCaId: ca.issuingId,
        subject: [
          { type: 'O', value: 'Acme' },
          { type: 'CN', value: '{csr.CN}', pattern: 'dev-[0-9]{4}' },
        ],
        csrSubject: 'must-match',
      },
    });
    const ok = await issueAndVerify({
      policyId: policy.id,
      csrPem: makeCsr(dir, 'csr-ok', 'P-256', '/O=Acme/CN=dev-0001').csrPem,
    });
    assert.equal(ok.issued.subject, 'O=Acme, CN=dev-0001');
    await refused(
      station,
      'certificates.issue',
      { policyId: policy.id, csrPem: makeCsr(dir, 'csr-bad-cn', 'P-256', '/O=Acme/CN=printer').csrPem },
      'SUBJECT_NOT_ALLOWED',
    );
    await refused(
      station,
      'certificates.issue',
      { policyId: policy.id, csrPem: makeCsr(dir, 'csr-extra-o', 'P-256', '/O=Evil Corp/CN=dev-0002').csrPem },
      'SUBJECT_NOT_ALLOWED',
    );
  });

  it('ends a day-based certificate with its CA, writes IP SANs as openssl reads them, and refuses a passed notAfter', async () => {
    const long = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: {
        name: 'Longer than the CA',
        issuingCaId: ca.issuingId,
        validity: { kind: 'days', days: 36500 },
        subjectAltNames: [
          { type: 'ip', value: '::ffff:192.0.2.1' },
          { type: 'ip', value: '10.1.2.3' },
        ],
      },
    });
    const { issued, text } = await issueAndVerify({
      policyId: long.id,
      csrPem: makeCsr(dir, 'long', 'P-256').csrPem,
      attributes: { serial: 'L1' },
    });
    const caNotAfter = /Not After : (.*)\n/.exec(openssl(['x509', '-in', ca.chainFile, '-noout', '-text']))?.[1];
    assert.equal(/Not After : (.*)\n/.exec(text)?.[1], caNotAfter);
    assert.ok(new Date(issued.notAfter).getTime() < Date.now() + (36500 * 86_400_000) / 2);
    assert.match(text, /IP Address:0:0:0:0:0:FFFF:C000:201, IP Address:10.1.2.3/);
    const passed = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: { name: 'Passed', issuingCaId: ca.issuingId, validity: { kind: 'fixed', notAfter: '20200101000000Z' } },
    });
    await refused(
      station,
      'certificates.issue',
      { policyId: passed.id, csrPem: makeCsr(dir, 'passed', 'P-256').csrPem, attributes: { serial: 'P' } },
      'POLICY_INVALID',
    );
    assert.equal(
      await station
        .dispatch(
          'policies.create',
          {
            preset: 'tls-client',
            body: {
              name: 'Feb 30',
              issuingCaId: ca.issuingId,
              validity: { kind: 'fixed', notAfter: '20310230000000Z' },
            },
          },
          admin,
        )
        .then((r) => (r.ok ? 'accepted' : r.error.code)),
      'POLICY_INVALID',
    );
  });

  it('gives every certificate a unique serial over a large concurrent run', async () => {
    const { csrPem } = makeCsr(dir, 'many', 'P-256');
    const count = 1500;
    const issued = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        call(station, 'certificates.issue', {
          policyId: tls.id,
          csrPem,
          attributes: { serial: String(i).padStart(6, '0') },
        }),
      ),
    );
    const serials = new Set(issued.map((c) => c.serialNumber));
    assert.equal(serials.size, count);
    for (const serial of serials) assert.match(serial, /^[4-7][0-9a-f]{31}$/);
    const stored = station.db
      .prepare('SELECT count(DISTINCT serial) AS n, count(*) AS total FROM certificates')
      .get() as {
      n: number;
      total: number;
    };
    assert.equal(stored.n, stored.total);
    // Every one of them is a real signature by the CA: spot-check a few with openssl.
    for (const sample of [issued[0], issued[count - 1]]) {
      const file = path.join(dir, 'sample.pem');
      writeFileSync(file, sample!.pem);
      assert.ok(opensslStatus(['verify', '-CAfile', ca.rootFile, '-untrusted', ca.chainFile, file]).ok);
    }
  });
});

describe('issuance refuses bad input and records nothing', () => {
  const refusedIssue = (input: Partial<CallInput<'certificates.issue'>>, code: ErrorCode) =>
    refused(station, 'certificates.issue', { policyId: tls.id, attributes: { serial: 'X' }, ...input }, code);

  it('a CSR whose signature does not verify', async () => {
    const { csrFile } = makeCsr(dir, 'tamper', 'P-256', '/CN=original');
    const der = readDer(csrFile);
    // Flip a byte inside the signed request info (the subject's CN value): the signature no longer matches.
    const at = der.indexOf(Buffer.from('original'));
    der[at] = 'O'.charCodeAt(0);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    // openssl agrees that the request no longer verifies.
    assert.match(
      opensslStatus(['req', '-verify', '-noout', '-in', writeTemp('tampered.csr', pem)]).output,
      /verify failure/,
    );
    await refusedIssue({ csrPem: pem }, 'CSR_SIGNATURE_INVALID');
  });

  it('an RSA-1024 key, a forbidden curve and a key type the policy does not allow', async () => {
    await refusedIssue({ csrPem: makeCsr(dir, 'rsa1024', 'RSA-1024').csrPem }, 'KEY_TYPE_NOT_ALLOWED');
    await refusedIssue({ csrPem: makeCsr(dir, 'k1', 'secp256k1').csrPem }, 'KEY_TYPE_NOT_ALLOWED');
    await refusedIssue({ csrPem: makeCsr(dir, 'ed', 'Ed25519').csrPem }, 'KEY_TYPE_NOT_ALLOWED');
  });

  it('garbage bytes, PEM with trailing junk, and a certificate where a CSR belongs', async () => {
    await refusedIssue({ csrPem: 'hello, I am not a CSR' }, 'CSR_INVALID');
    const { csrPem } = makeCsr(dir, 'junk', 'P-256');
    await refusedIssue({ csrPem: `${csrPem}rm -rf /\n` }, 'PEM_INVALID');
    await refusedIssue({ csrPem: readFileSync(ca.chainFile, 'utf8') }, 'PEM_INVALID');
    const notDer = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n';
    await refusedIssue({ csrPem: notDer }, 'CSR_INVALID');
    await refusedIssue(
      { publicKeyPem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' },
      'PUBLIC_KEY_INVALID',
    );
  });

  it('a template value the device does not have, and an unknown policy or device', async () => {
    const { csrPem } = makeCsr(dir, 'missing', 'P-256');
    await refusedIssue({ csrPem, attributes: {} }, 'TEMPLATE_VALUE_MISSING');
    await refusedIssue({ csrPem, policyId: '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a' }, 'POLICY_NOT_FOUND');
    await refusedIssue({ csrPem, deviceId: '7f1c2b9e-1d2a-4c3b-9a8e-0f1e2d3c4b5a' }, 'DEVICE_NOT_FOUND');
    await refusedIssue({ csrPem, publicKeyPem: 'x' }, 'INVALID_INPUT');
  });

  it('a key generation type the policy does not allow', async () => {
    const csrOnly = await call(station, 'policies.create', {
      preset: 'tls-client',
      body: { name: 'CSR only', issuingCaId: ca.issuingId, keyGeneration: ['device-csr'] },
    });
    const { keyFile } = makeCsr(dir, 'pubonly', 'P-256');
    await refusedIssue(
      { policyId: csrOnly.id, publicKeyPem: openssl(['pkey', '-in', keyFile, '-pubout']) },
      'KEY_GENERATION_NOT_ALLOWED',
    );
  });

  it('keeps issuing after all of the above', async () => {
    await issueAndVerify({
      policyId: tls.id,
      csrPem: makeCsr(dir, 'after', 'P-256').csrPem,
      attributes: { serial: 'Z' },
    });
  });
});

function readDer(csrFile: string): Buffer {
  const pem = readFileSync(csrFile, 'utf8');
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function writeTemp(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}
