// Setting up CAs through the contract on a real station with its own SoftHSM2 token: a lab root
// and issuing CA, the company-root flow (trust anchor, CSR out, certificate in), adopting a key,
// and every refusal with its code. OpenSSL checks every certificate and CSR from outside.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCsr } from '../../main/core/pki/csr';
import { toPem } from '../../main/core/pki/pem';
import { openStation, type Station } from '../../main/core/station';
import type { CallInput, CallName, CallOutput, ErrorCode } from '../../preload/contract';
import { admin, call as callAs, refused as refusedAs } from '../helpers/pki';
import { rowCounts } from '../helpers/station';
import { tempDir } from '../helpers/temp-dir';

const dataDir = tempDir();
const work = path.join(dataDir, 'openssl');
mkdirSync(work);
const file = (name: string) => path.join(work, name);
const context = admin;

/** Runs openssl and returns stdout; throws with stderr on a non-zero exit. */
function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs openssl and returns its exit status and both outputs, for checks that may fail. */
function opensslResult(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const extensions = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[root_pathlen0]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[issuing]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;
const config = file('openssl.cnf');
writeFileSync(config, extensions);

/** A self-signed EC P-256 root made by OpenSSL; returns its certificate's path. */
function makeRoot(name: string, subject: string, section = 'root'): string {
  openssl(
    'req',
    '-x509',
    '-new',
    '-config',
    config,
    '-extensions',
    section,
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-subj',
    subject,
    '-days',
    '3650',
    '-out',
    file(`${name}.pem`),
  );
  return file(`${name}.pem`);
}

/** A fresh key and CSR made by OpenSSL; returns the CSR's path. */
function makeCsr(name: string, subject: string, curve = 'P-256'): string {
  openssl(
    'req',
    '-new',
    '-config',
    config,
    '-newkey',
    'ec',
    '-pkeyopt',
    `ec_paramgen_curve:${curve}`,
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-subj',
    subject,
    '-out',
    file(`${name}.csr`),
  );
  return file(`${name}.csr`);
}

/** Signs a CSR (PEM text or path) with an OpenSSL CA; returns the certificate PEM. */
function signCsr(csr: string, issuer: string, section: string, out: string): string {
  const csrPath = csr.startsWith('-----BEGIN') ? file(`${out}.req.pem`) : csr;
  if (csrPath !== csr) writeFileSync(csrPath, csr);
  openssl(
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    file(`${issuer}.pem`),
    '-CAkey',
    file(`${issuer}.key`),
    '-set_serial',
    `0x${randomBytes(12).toString('hex')}`,
    '-days',
    '1825',
    '-extfile',
    config,
    '-extensions',
    section,
    '-out',
    file(`${out}.pem`),
  );
  return readFileSync(file(`${out}.pem`), 'utf8');
}

function save(name: string, pem: string): string {
  writeFileSync(file(name), pem);
  return file(name);
}

const certText = (pemPath: string) => openssl('x509', '-noout', '-text', '-in', pemPath);

/** The hex value printed under an extension's heading in `openssl x509 -text`. */
function extensionValue(text: string, heading: string): string {
  const match = new RegExp(`${heading}:[^\\n]*\\n\\s+(?:keyid:)?([0-9A-F:]+)`).exec(text);
  assert.ok(match?.[1], `${heading} in\n${text}`);
  return match[1];
}

describe('CA setup', () => {
  let station: Station;

  const call = <N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> =>
    callAs(station, name, input);

  /** The call must fail with `code` and leave every table as it was. */
  const refused = <N extends CallName>(name: N, input: CallInput<N>, code: ErrorCode): Promise<string> =>
    refusedAs(station, name, input, code);

  async function caById(id: string) {
    const ca = (await call('cas.list', {})).find((c) => c.id === id);
    assert.ok(ca, `CA ${id} listed`);
    return ca;
  }

  before(() => {
    // No PIN: the key store stays locked until keyStore.unlock.
    station = openStation(dataDir);
  });

  after(async () => {
    await station.close();
  });

  describe('key store', () => {
    it('is locked before unlock, and CA creation says so without changing anything', async () => {
      const status = await call('keyStore.status', {});
      assert.equal(status.unlocked, false);
      await refused(
        'cas.createRoot',
        { name: 'Too Early', subject: { commonName: 'Too Early' }, algorithm: 'EC-P256' },
        'KEY_STORE_LOCKED',
      );
      await refused(
        'cas.createIssuing',
        { name: 'Too Early', subject: { commonName: 'Too Early' }, algorithm: 'EC-P256' },
        'KEY_STORE_LOCKED',
      );
      assert.deepEqual(await call('cas.list', {}), []);
    });

    it('unlocks with its PIN', async () => {
      const status = await call('keyStore.unlock', { pin: '1234' });
      assert.equal(status.unlocked, true);
      assert.equal((await call('keyStore.status', {})).unlocked, true);
    });
  });

  describe('lab root and issuing CA', () => {
    let rootId = '';
    let issuingId = '';

    it('creates a root CA that OpenSSL reads as a CA', async () => {
      const root = await call('cas.createRoot', {
        name: 'Lab Root',
        subject: { commonName: 'Lab Root CA', organization: 'Acme', country: 'DE' },
        algorithm: 'EC-P256',
        validityDays: 3650,
      });
      rootId = root.id;
      assert.equal(root.kind, 'issuing');
      assert.equal(root.status, 'ready');
      assert.equal(root.keyAlgorithm, 'EC-P256');
      assert.equal(root.chain.length, 1);
      assert.equal(root.chain[0]?.selfSigned, true);
      assert.equal(root.chain[0]?.isCa, true);
      assert.equal(root.chain[0]?.pathLength, null);

      const rootPem = save('lab-root.pem', (await call('cas.exportCertificate', { id: rootId })).pem);
      const text = certText(rootPem);
      assert.match(text, /Subject: C = DE, O = Acme, CN = Lab Root CA/);
      assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
      assert.match(text, /X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
      assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
      const ski = extensionValue(text, 'X509v3 Subject Key Identifier');
      assert.equal(ski.split(':').length, 20);
      assert.equal(extensionValue(text, 'X509v3 Authority Key Identifier'), ski);
      assert.equal(opensslResult('verify', '-x509_strict', '-CAfile', rootPem, rootPem).status, 0);
    });

    it('creates an issuing CA signed by the root, ready with a chain of two', async () => {
      const { ca, csrPem } = await call('cas.createIssuing', {
        name: 'Lab Issuing',
        subject: { commonName: 'Lab Issuing CA', organization: 'Acme' },
        algorithm: 'EC-P256',
        signWithCaId: rootId,
        validityDays: 1825,
      });
      issuingId = ca.id;
      assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
      const listed = await caById(issuingId);
      assert.equal(listed.status, 'ready');
      assert.equal(listed.kind, 'issuing');
      assert.deepEqual(
        listed.chain.map((c) => c.subject),
        ['O=Acme, CN=Lab Issuing CA', 'C=DE, O=Acme, CN=Lab Root CA'],
      );
      assert.equal(listed.chain[0]?.issuer, listed.chain[1]?.subject);
      assert.equal(listed.chain[0]?.pathLength, 0);
      assert.equal(listed.chain[0]?.selfSigned, false);

      const rootPem = file('lab-root.pem');
      const issuingPem = save('lab-issuing.pem', (await call('cas.exportCertificate', { id: issuingId })).pem);
      const verified = opensslResult('verify', '-x509_strict', '-CAfile', rootPem, issuingPem);
      assert.equal(verified.status, 0, verified.output);
      assert.match(verified.output, /: OK/);

      const text = certText(issuingPem);
      assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
      assert.match(text, /X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
      assert.equal(
        extensionValue(text, 'X509v3 Authority Key Identifier'),
        extensionValue(certText(rootPem), 'X509v3 Subject Key Identifier'),
      );
    });

    it('writes an audit entry for each CA created and each certificate exported', () => {
      const actions = (
        station.db.prepare("SELECT action FROM audit_log WHERE action LIKE 'ca.%' ORDER BY seq").all() as {
          action: string;
        }[]
      ).map((r) => r.action);
      assert.deepEqual(actions, [
        'ca.root-created',
        'ca.certificate-exported',
        'ca.issuing-created',
        'ca.certificate-exported',
      ]);
    });

    it('limits a root to the path length it was given', async () => {
      const root = await call('cas.createRoot', {
        name: 'Lab Root Pathlen',
        subject: { commonName: 'Lab Root Pathlen 1' },
        algorithm: 'EC-P256',
        pathLength: 1,
      });
      assert.equal(root.chain[0]?.pathLength, 1);
      const rootPem = save('lab-root-pl1.pem', (await call('cas.exportCertificate', { id: root.id })).pem);
      assert.match(certText(rootPem), /CA:TRUE, pathlen:1\n/);
    });

    it('refuses to sign a CA below a CA whose pathlen:0 forbids it', async () => {
      // "Lab Issuing" was signed by the station with pathlen:0: it may sign devices only.
      const parent = (await call('cas.list', {})).find((c) => c.name === 'Lab Issuing');
      assert.ok(parent);
      assert.equal(parent.chain[0]?.pathLength, 0);
      await refused(
        'cas.createIssuing',
        { name: 'Below Pathlen 0', subject: { commonName: 'Below' }, algorithm: 'EC-P256', signWithCaId: parent.id },
        'CA_PATH_LENGTH_EXCEEDED',
      );
    });

    for (const algorithm of ['EC-P384', 'RSA-2048', 'Ed25519'] as const) {
      it(`creates a ${algorithm} root that verifies under OpenSSL`, async () => {
        const result = await station.dispatch(
          'cas.createRoot',
          { name: `Root ${algorithm}`, subject: { commonName: `Root ${algorithm}` }, algorithm },
          context,
        );
        if (!result.ok && algorithm === 'Ed25519') {
          assert.equal(result.error.code, 'HSM_MECHANISM_UNSUPPORTED', result.error.message);
          return;
        }
        assert.ok(result.ok, result.ok ? '' : `${result.error.code} ${result.error.message}`);
        const ca = result.value as CallOutput<'cas.createRoot'>;
        assert.equal(ca.keyAlgorithm, algorithm);
        const pem = save(`root-${algorithm}.pem`, (await call('cas.exportCertificate', { id: ca.id })).pem);
        const verified = opensslResult('verify', '-x509_strict', '-CAfile', pem, pem);
        assert.equal(verified.status, 0, verified.output);
        const text = certText(pem);
        const expected = {
          'EC-P384': [/NIST CURVE: P-384/, /Signature Algorithm: ecdsa-with-SHA384/],
          'RSA-2048': [/Public-Key: \(2048 bit\)/, /Signature Algorithm: sha256WithRSAEncryption/],
          Ed25519: [/Public Key Algorithm: ED25519/, /Signature Algorithm: ED25519/],
        }[algorithm];
        for (const pattern of expected) assert.match(text, pattern);
        assert.match(text, /X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
      });
    }
  });

  describe('company root', () => {
    let companyIssuingId = '';
    let pendingId = '';
    let pendingCsr = '';

    it('imports an external root as a trust anchor', async () => {
      const rootPem = makeRoot('company-root', '/O=Acme/CN=Acme Company Root');
      const anchor = await call('cas.importTrustAnchor', {
        name: 'Company Root',
        certificatePem: readFileSync(rootPem, 'utf8'),
      });
      assert.equal(anchor.kind, 'trust-anchor');
      assert.equal(anchor.status, 'ready');
      assert.equal(anchor.keyLabel, null);
      assert.equal(anchor.chain.length, 1);
      assert.equal(anchor.chain[0]?.selfSigned, true);
      assert.equal(anchor.subject, 'O=Acme, CN=Acme Company Root');
      // The export is the very certificate that was imported.
      const exported = (await call('cas.exportCertificate', { id: anchor.id })).pem;
      assert.equal(
        openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', save('company-root-export.pem', exported)),
        openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', rootPem),
      );
    });

    it('makes an issuing CA whose CSR waits for the company root to sign it', async () => {
      const { ca, csrPem } = await call('cas.createIssuing', {
        name: 'Company Issuing',
        subject: { commonName: 'Acme Line 1 Issuing CA', organization: 'Acme' },
        algorithm: 'EC-P256',
      });
      companyIssuingId = ca.id;
      assert.equal(ca.status, 'awaiting-certificate');
      assert.deepEqual(ca.chain, []);
      assert.match(ca.keyLabel ?? '', /^trustline-ca\/Company Issuing\/[0-9a-f]{8}$/);

      const csrPath = save('company-issuing.csr', csrPem);
      const verified = opensslResult('req', '-verify', '-noout', '-in', csrPath);
      assert.equal(verified.status, 0, verified.output);
      assert.match(verified.output, /verify OK/);
      assert.match(
        openssl('req', '-noout', '-subject', '-in', csrPath),
        /subject=O = Acme, CN = Acme Line 1 Issuing CA/,
      );

      assert.equal((await call('cas.exportCsr', { id: ca.id })).pem, csrPem);
      // No certificate to export yet.
      await refused('cas.exportCertificate', { id: ca.id }, 'CA_NOT_READY');
      // Nor can a policy issue from it.
    });

    it('imports the certificate the company root signed: ready, chain of two', async () => {
      const csrPem = (await call('cas.exportCsr', { id: companyIssuingId })).pem;
      const certPem = signCsr(csrPem, 'company-root', 'issuing', 'company-issuing');
      const ca = await call('cas.importCertificate', { caId: companyIssuingId, certificatePem: certPem });
      assert.equal(ca.status, 'ready');
      assert.equal(ca.chain.length, 2);
      assert.equal(ca.chain[0]?.subject, 'O=Acme, CN=Acme Line 1 Issuing CA');
      assert.equal(ca.chain[1]?.subject, 'O=Acme, CN=Acme Company Root');
      assert.equal(ca.chain[0]?.pathLength, 0);
      assert.equal((await caById(companyIssuingId)).status, 'ready');
      // The CSR is still there to export after the certificate arrived.
      assert.equal((await call('cas.exportCsr', { id: companyIssuingId })).pem, csrPem);
      const exported = save(
        'company-issuing-export.pem',
        (await call('cas.exportCertificate', { id: companyIssuingId })).pem,
      );
      assert.equal(opensslResult('verify', '-CAfile', file('company-root.pem'), exported).status, 0);
    });

    it('prepares a second CA awaiting its certificate, for the refusals', async () => {
      const { ca, csrPem } = await call('cas.createIssuing', {
        name: 'Pending Issuing',
        subject: { commonName: 'Acme Line 2 Issuing CA' },
        algorithm: 'EC-P256',
      });
      pendingId = ca.id;
      pendingCsr = csrPem;
      assert.equal(ca.status, 'awaiting-certificate');
    });

    it('refuses a certificate for another key (CA_CERT_KEY_MISMATCH)', async () => {
      const otherCsr = makeCsr('other-key', '/CN=Acme Line 2 Issuing CA');
      const certPem = signCsr(otherCsr, 'company-root', 'issuing', 'other-key-cert');
      await refused('cas.importCertificate', { caId: pendingId, certificatePem: certPem }, 'CA_CERT_KEY_MISMATCH');
      assert.equal((await caById(pendingId)).status, 'awaiting-certificate');
    });

    it('refuses a CA:FALSE certificate for the right key (CA_CERT_NOT_CA)', async () => {
      const certPem = signCsr(pendingCsr, 'company-root', 'leaf', 'pending-not-ca');
      assert.match(certText(file('pending-not-ca.pem')), /CA:FALSE/);
      await refused('cas.importCertificate', { caId: pendingId, certificatePem: certPem }, 'CA_CERT_NOT_CA');
    });

    it('refuses a chain through a root whose pathlen:0 forbids it (CA_PATH_LENGTH_EXCEEDED)', async () => {
      makeRoot('pathlen0-root', '/O=Acme/CN=Acme Pathlen 0 Root', 'root_pathlen0');
      assert.match(certText(file('pathlen0-root.pem')), /CA:TRUE, pathlen:0/);
      await call('cas.importTrustAnchor', {
        name: 'Pathlen 0 Root',
        certificatePem: readFileSync(file('pathlen0-root.pem'), 'utf8'),
      });
      const intermediateCsr = makeCsr('pathlen0-intermediate', '/O=Acme/CN=Acme Intermediate');
      const intermediatePem = signCsr(intermediateCsr, 'pathlen0-root', 'intermediate', 'pathlen0-intermediate');
      const certPem = signCsr(pendingCsr, 'pathlen0-intermediate', 'issuing', 'pending-under-pathlen0');
      const message = await refused(
        'cas.importCertificate',
        { caId: pendingId, certificatePem: certPem + intermediatePem },
        'CA_PATH_LENGTH_EXCEEDED',
      );
      assert.match(message, /Acme Pathlen 0 Root/);
      // OpenSSL agrees the chain breaks the constraint.
      const verified = opensslResult(
        'verify',
        '-CAfile',
        file('pathlen0-root.pem'),
        '-untrusted',
        file('pathlen0-intermediate.pem'),
        file('pending-under-pathlen0.pem'),
      );
      assert.notEqual(verified.status, 0, verified.output);
      assert.match(verified.output, /path length/i);
    });

    it('refuses a certificate whose root was never imported (CA_CHAIN_INCOMPLETE)', async () => {
      makeRoot('stranger-root', '/O=Elsewhere/CN=Stranger Root');
      const certPem = signCsr(pendingCsr, 'stranger-root', 'issuing', 'pending-under-stranger');
      await refused('cas.importCertificate', { caId: pendingId, certificatePem: certPem }, 'CA_CHAIN_INCOMPLETE');
      // Bringing the root along does not make it trusted.
      await refused(
        'cas.importCertificate',
        { caId: pendingId, certificatePem: certPem + readFileSync(file('stranger-root.pem'), 'utf8') },
        'CA_CHAIN_INCOMPLETE',
      );
    });

    it('refuses garbage and text around the PEM (PEM_INVALID)', async () => {
      const goodPem = signCsr(pendingCsr, 'company-root', 'issuing', 'pending-good');
      await refused('cas.importCertificate', { caId: pendingId, certificatePem: 'garbage' }, 'PEM_INVALID');
      await refused(
        'cas.importCertificate',
        { caId: pendingId, certificatePem: `${goodPem}trailing junk\n` },
        'PEM_INVALID',
      );
      await refused(
        'cas.importCertificate',
        { caId: pendingId, certificatePem: `Certificate:\n${goodPem}` },
        'PEM_INVALID',
      );
      await refused(
        'cas.importCertificate',
        {
          caId: pendingId,
          certificatePem: goodPem
            .replace('CERTIFICATE', 'CERTIFICATE REQUEST')
            .replace('END CERTIFICATE', 'END CERTIFICATE REQUEST'),
        },
        'PEM_INVALID',
      );
      await refused(
        'cas.importTrustAnchor',
        { name: 'Junk Root', certificatePem: `${readFileSync(file('company-root.pem'), 'utf8')}junk` },
        'PEM_INVALID',
      );
      // Two roots in one trust-anchor import: give exactly one.
      await refused(
        'cas.importTrustAnchor',
        {
          name: 'Two Roots',
          certificatePem:
            readFileSync(file('company-root.pem'), 'utf8') + readFileSync(file('stranger-root.pem'), 'utf8'),
        },
        'PEM_INVALID',
      );
    });

    it('refuses a trust anchor that is not self-signed (CA_CERT_INVALID)', async () => {
      await refused(
        'cas.importTrustAnchor',
        { name: 'Not A Root', certificatePem: readFileSync(file('pathlen0-intermediate.pem'), 'utf8') },
        'CA_CERT_INVALID',
      );
    });

    it('refuses a certificate that is not X.509 inside a valid PEM (CA_CERT_INVALID)', async () => {
      await refused(
        'cas.importCertificate',
        { caId: pendingId, certificatePem: toPem('CERTIFICATE', Buffer.from('3003020101', 'hex')) },
        'CA_CERT_INVALID',
      );
    });

    it('refuses a duplicate CA name, in any letter case (CA_NAME_TAKEN)', async () => {
      await refused(
        'cas.createRoot',
        { name: 'Lab Root', subject: { commonName: 'Again' }, algorithm: 'EC-P256' },
        'CA_NAME_TAKEN',
      );
      await refused(
        'cas.createRoot',
        { name: 'lab root', subject: { commonName: 'Again' }, algorithm: 'EC-P256' },
        'CA_NAME_TAKEN',
      );
      await refused(
        'cas.createIssuing',
        { name: 'Company Issuing', subject: { commonName: 'Again' }, algorithm: 'EC-P256' },
        'CA_NAME_TAKEN',
      );
      await refused(
        'cas.importTrustAnchor',
        { name: 'Company Root', certificatePem: readFileSync(file('stranger-root.pem'), 'utf8') },
        'CA_NAME_TAKEN',
      );
    });

    it('refuses to sign with a trust anchor or a CA that has no certificate (CA_NOT_READY)', async () => {
      const anchor = (await call('cas.list', {})).find((c) => c.name === 'Company Root');
      assert.ok(anchor);
      await refused(
        'cas.createIssuing',
        { name: 'Under Anchor', subject: { commonName: 'x' }, algorithm: 'EC-P256', signWithCaId: anchor.id },
        'CA_NOT_READY',
      );
      await refused(
        'cas.createIssuing',
        { name: 'Under Pending', subject: { commonName: 'x' }, algorithm: 'EC-P256', signWithCaId: pendingId },
        'CA_NOT_READY',
      );
      await refused(
        'cas.importCertificate',
        { caId: anchor.id, certificatePem: readFileSync(file('pending-good.pem'), 'utf8') },
        'CA_NOT_READY',
      );
    });

    it('still takes the right certificate after all the refusals', async () => {
      const ca = await call('cas.importCertificate', {
        caId: pendingId,
        certificatePem: readFileSync(file('pending-good.pem'), 'utf8'),
      });
      assert.equal(ca.status, 'ready');
      assert.equal(ca.chain.length, 2);
      assert.equal(ca.chain[1]?.subject, 'O=Acme, CN=Acme Company Root');
    });

    it('issues a device certificate that OpenSSL verifies up to the company root', async () => {
      const policy = await call('policies.create', {
        preset: 'tls-client',
        body: { name: 'Line 1 TLS', issuingCaId: companyIssuingId },
      });
      const csr = readFileSync(makeCsr('device-1', '/CN=ignored-by-policy'), 'utf8');
      const before = rowCounts(station.db);
      const issued = await call('certificates.issue', {
        policyId: policy.id,
        csrPem: csr,
        attributes: { serial: '1' },
      });
      assert.equal(rowCounts(station.db).certificates, (before.certificates ?? 0) + 1);
      assert.equal(issued.subject, 'CN=1');
      const leaf = save('device-1.pem', issued.pem);
      const chain = save('device-1-chain.pem', issued.chainPem);
      const verified = opensslResult(
        'verify',
        '-x509_strict',
        '-CAfile',
        file('company-root.pem'),
        '-untrusted',
        chain,
        leaf,
      );
      assert.equal(verified.status, 0, verified.output);
      assert.match(
        openssl('x509', '-noout', '-subject', '-issuer', '-in', leaf),
        /subject=CN = 1\nissuer=O = Acme, CN = Acme Line 1 Issuing CA/,
      );
      // The key in the certificate is the device's, from its CSR.
      assert.equal(
        openssl('x509', '-noout', '-pubkey', '-in', leaf),
        openssl('pkey', '-pubout', '-in', file('device-1.key')),
      );
    });
  });

  describe('adopting a key already in the key store', () => {
    it('adopts the key of a CA that waits for its certificate, by label', async () => {
      const { ca, csrPem } = await call('cas.createIssuing', {
        name: 'To Adopt',
        subject: { commonName: 'Acme Adopted CA' },
        algorithm: 'EC-P256',
      });
      assert.ok(ca.keyLabel);
      const certPem = signCsr(csrPem, 'company-root', 'issuing', 'to-adopt');
      const adopted = await call('cas.adoptKey', { name: 'Adopted', key: ca.keyLabel, certificatePem: certPem });
      assert.equal(adopted.status, 'ready');
      assert.equal(adopted.kind, 'issuing');
      assert.equal(adopted.keyLabel, ca.keyLabel);
      assert.equal(adopted.subject, 'CN=Acme Adopted CA');
      assert.equal(adopted.chain.length, 2);
      assert.equal(adopted.chain[1]?.subject, 'O=Acme, CN=Acme Company Root');
      const audit = station.db
        .prepare("SELECT details FROM audit_log WHERE action = 'ca.key-adopted' AND subject = ?")
        .get(adopted.id) as { details: string } | undefined;
      assert.ok(audit);
      assert.match(audit.details, /To Adopt/);
    });

    it('adopts a key generated in the token outside any CA, by its hex ID', async () => {
      const store = await station.keys.require('test');
      const key = await store.generateKeyPair('adopt-me', 'EC-P256');
      const csr = await createCsr(store, key, 'ECDSA-SHA256', [{ type: 'CN', value: 'Acme Adopt Me CA' }]);
      const certPem = signCsr(toPem('CERTIFICATE REQUEST', csr), 'company-root', 'issuing', 'adopt-me');
      const adopted = await call('cas.adoptKey', {
        name: 'Adopt Me',
        key: key.id.toUpperCase(),
        certificatePem: certPem,
      });
      assert.equal(adopted.status, 'ready');
      assert.equal(adopted.keyLabel, 'adopt-me');
      assert.equal(adopted.keyAlgorithm, 'EC-P256');

      // And it signs: a device certificate under the adopted CA verifies.
      const policy = await call('policies.create', {
        preset: 'tls-client',
        body: { name: 'Adopted TLS', issuingCaId: adopted.id },
      });
      const issued = await call('certificates.issue', {
        policyId: policy.id,
        csrPem: readFileSync(makeCsr('device-2', '/CN=d2'), 'utf8'),
        attributes: { serial: '2' },
      });
      const verified = opensslResult(
        'verify',
        '-CAfile',
        file('company-root.pem'),
        '-untrusted',
        save('device-2-chain.pem', issued.chainPem),
        save('device-2.pem', issued.pem),
      );
      assert.equal(verified.status, 0, verified.output);
    });

    it('refuses a label the key store does not have (HSM_KEY_NOT_FOUND)', async () => {
      await refused(
        'cas.adoptKey',
        {
          name: 'Ghost',
          key: 'trustline-ca/no such key',
          certificatePem: readFileSync(file('to-adopt.pem'), 'utf8'),
        },
        'HSM_KEY_NOT_FOUND',
      );
    });

    it('refuses a certificate that is not for the adopted key (CA_CERT_KEY_MISMATCH)', async () => {
      await refused(
        'cas.adoptKey',
        { name: 'Mismatch', key: 'adopt-me', certificatePem: readFileSync(file('to-adopt.pem'), 'utf8') },
        'CA_CERT_KEY_MISMATCH',
      );
    });

    it('refuses a name already taken (CA_NAME_TAKEN)', async () => {
      await refused(
        'cas.adoptKey',
        { name: 'Adopted', key: 'adopt-me', certificatePem: readFileSync(file('adopt-me.pem'), 'utf8') },
        'CA_NAME_TAKEN',
      );
    });
  });
});
