// Matter attestation: a PAA and PAI in the station's SoftHSM2 token, a DAC from the matter-dac
// preset, checked field by field with OpenSSL against the rules the Matter SDK applies
// (/work/shared/REFERENCES.md, "Matter attestation certificates"), and every refusal.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findPreset } from '../../main/core/policies/presets';
import { openStation, type Station } from '../../main/core/station';
import type { CallInput, CallName, CallOutput, ErrorCode, PolicyBody } from '../../preload/contract';
import { call as callAs, refused as refusedAs } from '../helpers/pki';
import { rowCounts } from '../helpers/station';
import { tempDir } from '../helpers/temp-dir';

const dataDir = tempDir();
const work = path.join(dataDir, 'openssl');
mkdirSync(work);
const file = (name: string) => path.join(work, name);
const vidOid = '1.3.6.1.4.1.37244.2.1';
const pidOid = '1.3.6.1.4.1.37244.2.2';

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function save(name: string, text: string): string {
  writeFileSync(file(name), text);
  return file(name);
}

/** A fresh EC key and CSR made by OpenSSL; returns the CSR PEM. */
function deviceCsr(name: string, curve: 'P-256' | 'P-384'): string {
  openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    `ec_paramgen_curve:${curve}`,
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-subj',
    `/CN=${name}`,
    '-out',
    file(`${name}.csr`),
  );
  return readFileSync(file(`${name}.csr`), 'utf8');
}

/** The text of one extension in `openssl x509 -text`: its heading line and value lines. */
function extensionBlock(text: string, name: string): { critical: boolean; value: string } | null {
  const match = new RegExp(`\\n\\s+X509v3 ${name}:( critical)? *\\n((?:[ ]{16,}[^\\n]*\\n)+)`).exec(text);
  if (!match) return null;
  return { critical: match[1] !== undefined, value: (match[2] ?? '').trim() };
}

/** A key identifier as printed by OpenSSL, without the optional `keyid:` prefix. */
const keyId = (value: string) => value.replace(/^keyid:/, '').trim();

describe('Matter DAC', () => {
  let station: Station;
  let paaId = '';
  let paiId = '';
  let policyId = '';
  let dacPem = '';
  let dacText = '';
  let paaText = '';
  let paiText = '';

  const call = <N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> =>
    callAs(station, name, input);

  /** The call must fail with `code` and leave every table as it was. */
  const refused = <N extends CallName>(name: N, input: CallInput<N>, code: ErrorCode): Promise<string> =>
    refusedAs(station, name, input, code);

  function matterBody(overrides: Partial<PolicyBody> = {}): PolicyBody {
    const preset = findPreset('matter-dac');
    assert.ok(preset);
    return { ...structuredClone(preset.body), name: 'Matter DAC preview', issuingCaId: paiId, ...overrides };
  }

  before(() => {
    station = openStation(dataDir, { keyStore: { pin: '1234' } });
  });

  after(async () => {
    await station.close();
  });

  it('creates a PAA and a PAI carrying VID FFF1', async () => {
    const paa = await call('cas.createRoot', {
      name: 'PAA',
      subject: { commonName: 'Matter Test PAA', matterVid: 'FFF1' },
      algorithm: 'EC-P256',
    });
    paaId = paa.id;
    assert.equal(paa.chain[0]?.pathLength, null);
    assert.equal(paa.subject, 'CN=Matter Test PAA, matterVid=FFF1');
    const { ca } = await call('cas.createIssuing', {
      name: 'PAI',
      subject: { commonName: 'Matter Test PAI', matterVid: 'FFF1' },
      algorithm: 'EC-P256',
      signWithCaId: paaId,
    });
    paiId = ca.id;
    assert.equal(ca.status, 'ready');
    assert.equal(ca.chain.length, 2);
    save('paa.pem', (await call('cas.exportCertificate', { id: paaId })).pem);
    save('pai.pem', (await call('cas.exportCertificate', { id: paiId })).pem);
    paaText = openssl('x509', '-noout', '-text', '-in', file('paa.pem'));
    paiText = openssl('x509', '-noout', '-text', '-in', file('pai.pem'));
  });

  it('PAA: CA:TRUE without pathlen, keyCertSign+cRLSign critical, VID and no PID', () => {
    assert.match(paaText, /Version: 3 \(0x2\)/);
    assert.match(paaText, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(paaText, /NIST CURVE: P-256/);
    assert.deepEqual(extensionBlock(paaText, 'Basic Constraints'), { critical: true, value: 'CA:TRUE' });
    assert.deepEqual(extensionBlock(paaText, 'Key Usage'), { critical: true, value: 'Certificate Sign, CRL Sign' });
    assert.equal(extensionBlock(paaText, 'Subject Key Identifier')?.critical, false);
    assert.match(paaText, new RegExp(`Subject: CN = Matter Test PAA, ${vidOid.replace(/\./g, '\\.')} = FFF1\\n`));
    assert.doesNotMatch(paaText, new RegExp(pidOid.replace(/\./g, '\\.')));
  });

  it('PAI: CA:TRUE pathlen:0, keyCertSign+cRLSign critical, SKI and AKI, VID FFF1', () => {
    assert.match(paiText, /Version: 3 \(0x2\)/);
    assert.match(paiText, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(paiText, /NIST CURVE: P-256/);
    assert.deepEqual(extensionBlock(paiText, 'Basic Constraints'), { critical: true, value: 'CA:TRUE, pathlen:0' });
    assert.deepEqual(extensionBlock(paiText, 'Key Usage'), { critical: true, value: 'Certificate Sign, CRL Sign' });
    const ski = extensionBlock(paiText, 'Subject Key Identifier');
    assert.equal(ski?.critical, false);
    assert.equal(keyId(ski?.value ?? '').split(':').length, 20);
    const aki = extensionBlock(paiText, 'Authority Key Identifier');
    assert.ok(aki);
    assert.equal(keyId(aki.value), keyId(extensionBlock(paaText, 'Subject Key Identifier')?.value ?? ''));
    assert.match(paiText, new RegExp(`Subject: CN = Matter Test PAI, ${vidOid.replace(/\./g, '\\.')} = FFF1\\n`));
    const verified = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', file('paa.pem'), file('pai.pem')], {
      encoding: 'utf8',
    });
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  });

  it('creates a policy from the matter-dac preset', async () => {
    const policy = await call('policies.create', {
      preset: 'matter-dac',
      body: { name: 'Matter DAC', issuingCaId: paiId },
    });
    policyId = policy.id;
    assert.equal(policy.profile, 'matter-dac');
    assert.deepEqual(policy.allowedKeyTypes, ['EC-P256']);
    assert.equal(policy.issuingCaName, 'PAI');
  });

  it('issues an unmanaged DAC from a P-256 CSR', async () => {
    const before = rowCounts(station.db);
    const issued = await call('certificates.issue', {
      policyId,
      csrPem: deviceCsr('dac-1', 'P-256'),
      attributes: { serial: 'SN0001', vid: 'FFF1', pid: '8000' },
    });
    const afterIssue = rowCounts(station.db);
    assert.equal(afterIssue.certificates, (before.certificates ?? 0) + 1);
    assert.equal(afterIssue.audit_log, (before.audit_log ?? 0) + 1);
    assert.equal(issued.deviceId, null);
    assert.equal(issued.notAfter, '9999-12-31T23:59:59.000Z');
    dacPem = issued.pem;
    save('dac.pem', dacPem);
    save('dac-chain.pem', issued.chainPem);
    dacText = openssl('x509', '-noout', '-text', '-in', file('dac.pem'));
  });

  it('DAC: version 3, ecdsa-with-SHA256, P-256 key, notAfter 9999-12-31 23:59:59 GMT', () => {
    assert.match(dacText, /Version: 3 \(0x2\)/);
    const algorithms = [...dacText.matchAll(/Signature Algorithm: (\S+)/g)].map((m) => m[1]);
    assert.deepEqual(algorithms, ['ecdsa-with-SHA256', 'ecdsa-with-SHA256']);
    assert.match(dacText, /Public Key Algorithm: id-ecPublicKey/);
    assert.match(dacText, /NIST CURVE: P-256/);
    assert.match(dacText, /Not After : Dec 31 23:59:59 9999 GMT/);
    assert.equal(
      openssl('x509', '-noout', '-enddate', '-in', file('dac.pem')).trim(),
      'notAfter=Dec 31 23:59:59 9999 GMT',
    );
    // The key is the device's own, from its CSR.
    assert.equal(
      openssl('x509', '-noout', '-pubkey', '-in', file('dac.pem')),
      openssl('pkey', '-pubout', '-in', file('dac-1.key')),
    );
  });

  it('DAC: subject carries VID FFF1 and PID 8000 as UTF8String', () => {
    assert.match(
      dacText,
      new RegExp(
        `Subject: CN = Matter DAC SN0001, ${vidOid.replace(/\./g, '\\.')} = FFF1, ${pidOid.replace(/\./g, '\\.')} = 8000\\n`,
      ),
    );
    assert.match(dacText, /Issuer: CN = Matter Test PAI, 1\.3\.6\.1\.4\.1\.37244\.2\.1 = FFF1\n/);
    const asn1 = openssl('asn1parse', '-in', file('dac.pem'));
    const lines = asn1.split('\n');
    const valueAfter = (oidText: string) => {
      const values: string[] = [];
      lines.forEach((line, i) => {
        if (line.endsWith(`:${oidText}`)) values.push(lines[i + 1] ?? '');
      });
      return values;
    };
    // Issuer VID, then subject VID; one PID, in the subject.
    const vids = valueAfter(vidOid);
    assert.equal(vids.length, 2);
    for (const line of vids) assert.match(line, /prim: UTF8STRING\s+:FFF1$/);
    const pids = valueAfter(pidOid);
    assert.equal(pids.length, 1);
    assert.match(pids[0] ?? '', /prim: UTF8STRING\s+:8000$/);
    // No other time form than the fixed GeneralizedTime for notAfter.
    assert.match(asn1, /GENERALIZEDTIME\s+:99991231235959Z/);
  });

  it('DAC: keyUsage critical digitalSignature only; basicConstraints critical CA:FALSE without pathlen; no EKU', () => {
    assert.deepEqual(extensionBlock(dacText, 'Key Usage'), { critical: true, value: 'Digital Signature' });
    assert.deepEqual(extensionBlock(dacText, 'Basic Constraints'), { critical: true, value: 'CA:FALSE' });
    assert.doesNotMatch(dacText, /pathlen/);
    assert.equal(extensionBlock(dacText, 'Extended Key Usage'), null);
    assert.doesNotMatch(dacText, /Extended Key Usage/);
    assert.doesNotMatch(dacText, /Subject Alternative Name/);
    // The encodings themselves: BIT STRING 07 80, and an empty basicConstraints SEQUENCE.
    const asn1 = openssl('asn1parse', '-in', file('dac.pem'));
    assert.match(asn1, /X509v3 Key Usage\n.*BOOLEAN\s+:255\n.*OCTET STRING\s+\[HEX DUMP\]:03020780\n/);
    assert.match(asn1, /X509v3 Basic Constraints\n.*BOOLEAN\s+:255\n.*OCTET STRING\s+\[HEX DUMP\]:3000\n/);
  });

  it('DAC: SKI of 20 bytes, non-critical; AKI equal to the PAI’s SKI', () => {
    const ski = extensionBlock(dacText, 'Subject Key Identifier');
    assert.ok(ski);
    assert.equal(ski.critical, false);
    assert.equal(keyId(ski.value).split(':').length, 20);
    const aki = extensionBlock(dacText, 'Authority Key Identifier');
    assert.ok(aki);
    assert.equal(aki.critical, false);
    assert.equal(keyId(aki.value), keyId(extensionBlock(paiText, 'Subject Key Identifier')?.value ?? ''));
    assert.notEqual(keyId(ski.value), keyId(aki.value));
  });

  it('DAC: verifies against the PAA with the PAI as intermediate', () => {
    const verified = spawnSync(
      'openssl',
      ['verify', '-x509_strict', '-CAfile', file('paa.pem'), '-untrusted', file('pai.pem'), file('dac.pem')],
      { encoding: 'utf8' },
    );
    assert.equal(verified.status, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /dac\.pem: OK/);
    // The chain the station hands out is the PAI then the PAA.
    const chain = readFileSync(file('dac-chain.pem'), 'utf8');
    assert.equal(chain, readFileSync(file('pai.pem'), 'utf8') + readFileSync(file('paa.pem'), 'utf8'));
    // Without the PAI the DAC does not verify: the check above is not vacuous.
    const alone = spawnSync('openssl', ['verify', '-CAfile', file('paa.pem'), file('dac.pem')], { encoding: 'utf8' });
    assert.notEqual(alone.status, 0);
  });

  it('refuses a P-384 key (KEY_TYPE_NOT_ALLOWED)', async () => {
    await refused(
      'certificates.issue',
      { policyId, csrPem: deviceCsr('p384', 'P-384'), attributes: { serial: 'SN0002', vid: 'FFF1', pid: '8000' } },
      'KEY_TYPE_NOT_ALLOWED',
    );
  });

  it('refuses a VID other than the PAI’s (CA_VID_MISMATCH)', async () => {
    await refused(
      'certificates.issue',
      { policyId, csrPem: deviceCsr('vid-fff2', 'P-256'), attributes: { serial: 'SN0003', vid: 'FFF2', pid: '8000' } },
      'CA_VID_MISMATCH',
    );
  });

  it('refuses a lower-case VID (SUBJECT_NOT_ALLOWED)', async () => {
    await refused(
      'certificates.issue',
      { policyId, csrPem: deviceCsr('vid-lower', 'P-256'), attributes: { serial: 'SN0004', vid: 'fff1', pid: '8000' } },
      'SUBJECT_NOT_ALLOWED',
    );
  });

  it('refuses a PID that is not four upper-case hex digits (SUBJECT_NOT_ALLOWED)', async () => {
    await refused(
      'certificates.issue',
      { policyId, csrPem: deviceCsr('pid-long', 'P-256'), attributes: { serial: 'SN0005', vid: 'FFF1', pid: '80001' } },
      'SUBJECT_NOT_ALLOWED',
    );
  });

  it('refuses a request without PID (TEMPLATE_VALUE_MISSING)', async () => {
    const message = await refused(
      'certificates.issue',
      { policyId, csrPem: deviceCsr('no-pid', 'P-256'), attributes: { serial: 'SN0006', vid: 'FFF1' } },
      'TEMPLATE_VALUE_MISSING',
    );
    assert.match(message, /attr\.pid/);
  });

  it('refuses a matter-dac policy that allows P-384 keys (POLICY_INVALID)', async () => {
    await refused(
      'policies.create',
      {
        preset: 'matter-dac',
        body: { name: 'Matter DAC P-384', issuingCaId: paiId, allowedKeyTypes: ['EC-P256', 'EC-P384'] },
      },
      'POLICY_INVALID',
    );
  });

  it('refuses a matter-dac policy under a P-384 PAI (POLICY_INVALID)', async () => {
    const { ca } = await call('cas.createIssuing', {
      name: 'PAI P-384',
      subject: { commonName: 'Matter Test PAI P-384', matterVid: 'FFF1' },
      algorithm: 'EC-P384',
      signWithCaId: paaId,
    });
    const message = await refused(
      'policies.create',
      { preset: 'matter-dac', body: { name: 'Matter DAC under P-384', issuingCaId: ca.id } },
      'POLICY_INVALID',
    );
    assert.match(message, /P-256/);
  });

  it('recorded the one DAC and nothing for the refusals', () => {
    const rows = station.db.prepare('SELECT subject FROM certificates').all() as { subject: string }[];
    assert.deepEqual(rows, [{ subject: 'CN=Matter DAC SN0001, matterVid=FFF1, matterPid=8000' }]);
  });

  it('previews the matter-dac body without problems', async () => {
    const preview = await call('policies.preview', {
      body: matterBody(),
      sample: { deviceName: 'x', attributes: { serial: '1', vid: 'FFF1', pid: '8000' } },
    });
    assert.deepEqual(preview.problems, []);
    assert.match(preview.subject, /matterVid=FFF1/);
    assert.match(preview.subject, /matterPid=8000/);
    assert.equal(preview.notAfter, '9999-12-31T23:59:59.000Z');
    const previewText = openssl('x509', '-noout', '-text', '-in', save('preview.pem', preview.pem));
    assert.deepEqual(extensionBlock(previewText, 'Key Usage'), { critical: true, value: 'Digital Signature' });
  });

  it('previews the problems of a request the policy would refuse', async () => {
    const preview = await call('policies.preview', {
      body: matterBody(),
      sample: { deviceName: 'x', attributes: { serial: '1', vid: 'FFF2' } },
    });
    assert.ok(
      preview.problems.some((p) => /attr\.pid/.test(p)),
      preview.problems.join('; '),
    );
    assert.ok(
      preview.problems.some((p) => /FFF2/.test(p)),
      preview.problems.join('; '),
    );
  });
});
