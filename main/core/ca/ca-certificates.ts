import type { CaSubjectInput, KeyUsage } from '../../../preload/contract';
import type { KeyAlgorithm, KeyRef, KeyStore, SignatureScheme } from '../../../hsm';
import { encodeCertificate, encodeTbs } from '../pki/certificate';
import { x509Time } from '../pki/der';
import { basicConstraints } from '../pki/extensions/basic-constraints';
import { authorityKeyIdentifier, keyIdentifier, subjectKeyIdentifier } from '../pki/extensions/key-identifiers';
import { keyUsage } from '../pki/extensions/key-usage';
import type { NameAttribute } from '../pki/name';
import { algorithmIdentifier } from '../pki/signature-algorithms';
import { newSerial } from '../issuance/serial-numbers';

export function caSubject(input: CaSubjectInput): NameAttribute[] {
  const out: NameAttribute[] = [];
  if (input.country) out.push({ type: 'C', value: input.country });
  if (input.organization) out.push({ type: 'O', value: input.organization });
  if (input.organizationalUnit) out.push({ type: 'OU', value: input.organizationalUnit });
  out.push({ type: 'CN', value: input.commonName });
  if (input.matterVid) out.push({ type: 'matterVid', value: input.matterVid });
  return out;
}

/** A CA signs with the hash that matches its key's strength. */
export function caSignatureScheme(algorithm: KeyAlgorithm): SignatureScheme {
  if (algorithm === 'Ed25519') return 'Ed25519';
  if (algorithm === 'EC-P384') return 'ECDSA-SHA384';
  if (algorithm === 'EC-P256') return 'ECDSA-SHA256';
  return 'RSA-PKCS1-SHA256';
}

const caKeyUsage: KeyUsage[] = ['keyCertSign', 'cRLSign'];

/** Signs a CA certificate for `subjectSpki` with the issuer's key in the store. */
export async function signCaCertificate(options: {
  store: KeyStore;
  issuerKey: KeyRef;
  /** The issuer's subject Name DER; for a self-signed root, the subject's own. */
  issuerName: Buffer;
  /** The issuer's key identifier: its certificate's SKI where it has one, so AKI matches it exactly. */
  issuerKeyId: Buffer;
  /** The issuer's notAfter: a CA never outlives the CA that signed it. */
  issuerNotAfter?: Date;
  subjectName: Buffer;
  subjectSpki: Buffer;
  validityDays: number;
  pathLength?: number;
  now: Date;
}): Promise<Buffer> {
  const scheme = caSignatureScheme(options.issuerKey.algorithm);
  const signatureAlgorithm = algorithmIdentifier(scheme);
  const notBefore = new Date(Math.floor(options.now.getTime() / 1000) * 1000);
  const wanted = new Date(notBefore.getTime() + options.validityDays * 86_400_000);
  const notAfter = options.issuerNotAfter && options.issuerNotAfter < wanted ? options.issuerNotAfter : wanted;
  const tbs = encodeTbs({
    serial: newSerial(),
    signatureAlgorithm,
    issuer: options.issuerName,
    notBefore: x509Time(notBefore),
    notAfter: x509Time(notAfter),
    subject: options.subjectName,
    spki: options.subjectSpki,
    extensions: [
      basicConstraints({
        ca: true,
        critical: true,
        ...(options.pathLength === undefined ? {} : { pathLength: options.pathLength }),
      }),
      keyUsage(caKeyUsage, true),
      subjectKeyIdentifier(keyIdentifier(options.subjectSpki)),
      authorityKeyIdentifier(options.issuerKeyId),
    ],
  });
  const signature = await options.store.sign(options.issuerKey, scheme, tbs);
  return encodeCertificate(tbs, signatureAlgorithm, signature);
}
