import { createHash, X509Certificate } from 'node:crypto';
import type { CertificateSummary } from '../../../preload/contract';
import {
  bitString,
  children,
  decodeOid,
  decodeTime,
  DerError,
  explicit,
  expectTag,
  type Node,
  readOnly,
  sequence,
  smallInteger,
  tags,
  unsignedInteger,
} from './der';
import { decodeName, type DecodedNameAttribute, nameToString } from './name';
import { oids } from './oids';

export interface TbsFields {
  serial: Buffer;
  signatureAlgorithm: Buffer;
  /** The issuer's subject Name exactly as encoded in the issuer's certificate. */
  issuer: Buffer;
  /** Both as encoded X.509 Time values. */
  notBefore: Buffer;
  notAfter: Buffer;
  subject: Buffer;
  spki: Buffer;
  extensions: readonly Buffer[];
}

const version3 = explicit(0, smallInteger(2));

export function encodeTbs(fields: TbsFields): Buffer {
  return sequence(
    version3,
    unsignedInteger(fields.serial),
    fields.signatureAlgorithm,
    fields.issuer,
    sequence(fields.notBefore, fields.notAfter),
    fields.subject,
    fields.spki,
    explicit(3, sequence(...fields.extensions)),
  );
}

export function encodeCertificate(tbs: Buffer, signatureAlgorithm: Buffer, signature: Buffer): Buffer {
  return sequence(tbs, signatureAlgorithm, bitString(signature));
}

export interface ParsedExtension {
  critical: boolean;
  value: Buffer;
}

/** The parts of a certificate the station reasons about, read from DER. */
export interface ParsedCertificate {
  der: Buffer;
  tbs: Node;
  serialHex: string;
  issuerRaw: Buffer;
  issuer: DecodedNameAttribute[];
  subjectRaw: Buffer;
  subject: DecodedNameAttribute[];
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: Map<string, ParsedExtension>;
  basicConstraints: { ca: boolean; pathLength: number | null } | null;
  subjectKeyId: Buffer | null;
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  const [tbs] = children(expectTag(readOnly(der), tags.sequence, 'Certificate'));
  const fields = children(expectTag(tbs, tags.sequence, 'TBSCertificate'));
  let index = 0;
  if (fields[0]?.tag === 0xa0) index += 1;
  const serial = expectTag(fields[index], tags.integer, 'serialNumber');
  const issuer = expectTag(fields[index + 2], tags.sequence, 'issuer');
  const [notBefore, notAfter] = children(expectTag(fields[index + 3], tags.sequence, 'validity'));
  const subject = expectTag(fields[index + 4], tags.sequence, 'subject');
  const spki = expectTag(fields[index + 5], tags.sequence, 'subjectPublicKeyInfo');
  if (!notBefore || !notAfter) throw new DerError('validity');
  const extensions = new Map<string, ParsedExtension>();
  const extensionsNode = fields.slice(index + 6).find((f) => f.tag === 0xa3);
  if (extensionsNode) {
    const [list] = children(extensionsNode);
    for (const ext of children(expectTag(list, tags.sequence, 'extensions'))) {
      const parts = children(ext);
      const id = decodeOid(expectTag(parts[0], tags.oid, 'extnID').content);
      const critical = parts[1]?.tag === tags.boolean && parts[1].content[0] !== 0;
      const value = expectTag(parts.at(-1), tags.octetString, 'extnValue').content;
      if (extensions.has(id)) throw new DerError(`extension ${id} appears twice`);
      extensions.set(id, { critical, value });
    }
  }
  return {
    der,
    tbs: expectTag(tbs, tags.sequence, 'TBSCertificate'),
    serialHex: serial.content.toString('hex').replace(/^00(?=[89a-f])/, ''),
    issuerRaw: issuer.raw,
    issuer: decodeName(issuer),
    subjectRaw: subject.raw,
    subject: decodeName(subject),
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    spki: spki.raw,
    extensions,
    basicConstraints: readBasicConstraints(extensions.get(oids.basicConstraints)),
    subjectKeyId: readSubjectKeyId(extensions.get(oids.subjectKeyIdentifier)),
  };
}

function readBasicConstraints(ext: ParsedExtension | undefined): ParsedCertificate['basicConstraints'] {
  if (!ext) return null;
  const parts = children(readOnly(ext.value));
  const ca = parts[0]?.tag === tags.boolean && parts[0].content[0] !== 0;
  const lengthNode = parts.find((p) => p.tag === tags.integer);
  if (lengthNode && ((lengthNode.content[0] ?? 0x80) & 0x80 || lengthNode.content.length > 4)) {
    throw new DerError('pathLenConstraint must be a small non-negative INTEGER');
  }
  return { ca, pathLength: lengthNode ? lengthNode.content.readUIntBE(0, lengthNode.content.length) : null };
}

function readSubjectKeyId(ext: ParsedExtension | undefined): Buffer | null {
  return ext ? expectTag(readOnly(ext.value), tags.octetString, 'subjectKeyIdentifier').content : null;
}

export function summarizeCertificate(cert: ParsedCertificate): CertificateSummary {
  return {
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    serialNumber: cert.serialHex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha256Fingerprint: createHash('sha256').update(cert.der).digest('hex'),
    isCa: cert.basicConstraints?.ca ?? false,
    pathLength: cert.basicConstraints?.pathLength ?? null,
    selfSigned: cert.issuerRaw.equals(cert.subjectRaw),
  };
}

/** Whether `issuer`'s key signed `cert` (Node's X509Certificate checks the signature). */
export function isSignedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return new X509Certificate(cert.der).verify(new X509Certificate(issuer.der).publicKey);
  } catch {
    return false;
  }
}
