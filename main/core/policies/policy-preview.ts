import type { Database } from 'better-sqlite3';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { PolicyBody, PolicyKeyType, PolicyPreview } from '../../../preload/contract';
import type { KeyAlgorithm } from '../../../hsm';
import { caChain, findCaRow } from '../ca/cas.repo';
import { compilePolicy, type IssuerInfo, planCertificate, planTbs } from '../issuance/compiled-policy';
import { newSerial } from '../issuance/serial-numbers';
import { encodeCertificate, encodeTbs, parseCertificate } from '../pki/certificate';
import { describeExtension } from '../pki/describe-extension';
import { x509Time } from '../pki/der';
import { encodeName, nameToString } from '../pki/name';
import { toPem } from '../pki/pem';
import { describePublicKey } from '../pki/public-key';
import { policyProblems } from './profile-rules';

// Throwaway keys, made once per process: the preview must never touch the CA's key.
const sampleKeys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

function sampleKey(type: PolicyKeyType) {
  let pair = sampleKeys.get(type);
  if (!pair) {
    pair =
      type === 'RSA'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : type === 'Ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', {
              namedCurve: { 'EC-P256': 'P-256', 'EC-P384': 'P-384', 'EC-P521': 'P-521' }[type],
            });
    sampleKeys.set(type, pair);
  }
  return pair;
}

/** A stand-in issuer when the policy's CA has no certificate yet: the preview still shows the rest. */
function placeholderIssuer(): IssuerInfo & { privateKey: KeyObject } {
  const { privateKey, publicKey } = sampleKey('EC-P256');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const name = encodeName([{ type: 'CN', value: 'Preview issuer' }]);
  const now = new Date();
  const tbs = encodeTbs({
    serial: newSerial(),
    signatureAlgorithm: Buffer.alloc(0),
    issuer: name,
    notBefore: x509Time(now),
    notAfter: x509Time(new Date(now.getTime() + 100 * 365 * 86_400_000)),
    subject: name,
    spki,
    extensions: [],
  });
  const certificate = parseCertificate(encodeCertificate(tbs, Buffer.from([0x30, 0x00]), Buffer.alloc(0)));
  return { id: '', keyId: '', keyLabel: '', keyAlgorithm: 'EC-P256', certificate, privateKey };
}

/**
 * What the policy would issue for a sample device, built by the same code as real issuance and
 * signed by a throwaway key, so the preview shows the real encoding.
 */
export function previewPolicy(
  db: Database,
  body: PolicyBody,
  sample: { deviceName: string; attributes: Record<string, string> },
): PolicyPreview {
  const ca = findCaRow(db, body.issuingCaId);
  const [caCert] = ca ? caChain(ca) : [];
  const problems = policyProblems(body, ca?.key_algorithm ?? null);
  if (!ca) problems.push('the issuing CA does not exist');
  else if (!caCert) problems.push(`the CA ${ca.name} has no certificate yet; the issuer shown is a stand-in`);
  const issuer: IssuerInfo =
    ca && caCert && ca.key_algorithm
      ? { id: ca.id, keyId: '', keyLabel: '', keyAlgorithm: ca.key_algorithm as KeyAlgorithm, certificate: caCert }
      : placeholderIssuer();
  // The throwaway signer is EC P-256 whatever the CA's key: the preview's signature is not the point.
  const compiled = compilePolicy({ ...body, signatureHash: 'SHA-256' }, { ...issuer, keyAlgorithm: 'EC-P256' });
  const deviceKeyType = body.allowedKeyTypes[0] ?? 'EC-P256';
  const device = sampleKey(deviceKeyType);
  const spki = device.publicKey.export({ format: 'der', type: 'spki' });
  const key = describePublicKey(device.publicKey, spki);
  const plan = planCertificate(
    compiled,
    key,
    { attributes: sample.attributes, device: { id: '00000000-0000-4000-8000-000000000000', name: sample.deviceName } },
    new Date(),
  );
  problems.push(...plan.problems.map((p) => p.message));
  const tbs = planTbs(compiled, key, plan, newSerial());
  const der = encodeCertificate(tbs, compiled.signatureAlgorithm, sign('sha256', tbs, sampleKey('EC-P256').privateKey));
  const parsed = parseCertificate(der);
  return {
    subject: nameToString(parsed.subject),
    subjectAltNames: plan.subjectAltNames.map((n) =>
      n.type === 'hardwareModuleName'
        ? `hardwareModuleName:${n.hwType}/${n.serial}`
        : `${n.type.toUpperCase()}:${n.value}`,
    ),
    notBefore: parsed.notBefore.toISOString(),
    notAfter: parsed.notAfter.toISOString(),
    extensions: [...parsed.extensions].map(([id, ext]) => describeExtension(id, ext.critical, ext.value)),
    pem: toPem('CERTIFICATE', der),
    problems,
  };
}
