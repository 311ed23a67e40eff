import type { KeyRef, KeyStore, SignatureScheme } from '../../../hsm';
import { StationError } from '../errors/station-error';
import {
  bitString,
  children,
  DerError,
  expectTag,
  type Node,
  readOnly,
  sequence,
  smallInteger,
  tags,
  tlv,
} from './der';
import { decodeName, type DecodedNameAttribute, encodeName, type NameAttribute } from './name';
import { pemOrDer } from './pem';
import {
  describeCheckedPublicKey,
  importPublicKey,
  type PublicKeyDescription,
  type PublicKeyInfo,
  readPublicKey,
} from './public-key';
import {
  algorithmIdentifier,
  UnsupportedSignatureAlgorithm,
  verifyWithAlgorithm,
  verifyWithAlgorithmSync,
} from './signature-algorithms';

/** Requests larger than this are not CSRs a device makes; refuse before parsing. */
export const maxCsrBytes = 16 * 1024;

export interface CertificationRequest {
  subject: DecodedNameAttribute[];
  publicKey: PublicKeyInfo;
}

function invalid(message: string, cause?: unknown): StationError {
  return new StationError('CSR_INVALID', message, { step: 'read-csr', cause });
}

interface ParsedCsr {
  subject: DecodedNameAttribute[];
  spki: Buffer;
  info: Node;
  algorithm: Node;
  signature: Node;
}

/**
 * A request's DER from PEM or DER bytes, size checked, not parsed: a batch decodes each PEM once
 * and hands the DER to every later reader. Throws what readCsr() would for these problems.
 */
export function csrDer(bytes: Buffer): Buffer {
  if (bytes.length > maxCsrBytes)
    throw invalid(`The CSR is ${bytes.length} bytes; at most ${maxCsrBytes} are accepted.`);
  return pemOrDer(bytes, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'CSR');
}

/** The request's parts, its signature not yet checked; throws CSR_INVALID for anything but PKCS#10. */
function parseCsr(bytes: Buffer): ParsedCsr {
  const der = csrDer(bytes);
  try {
    const parts = children(expectTag(readOnly(der), tags.sequence, 'CertificationRequest'));
    if (parts.length !== 3) throw new DerError('a request has three parts');
    const info = expectTag(parts[0], tags.sequence, 'CertificationRequestInfo');
    const algorithm = expectTag(parts[1], tags.sequence, 'signatureAlgorithm');
    const signature = expectTag(parts[2], tags.bitString, 'signature');
    const infoParts = children(info);
    // RFC 2986: version, subject, subjectPKInfo and the [0] attributes, which may be empty but not absent.
    if (infoParts.length !== 4 || infoParts[3]?.tag !== 0xa0) {
      throw new DerError('CertificationRequestInfo has version, subject, key and [0] attributes');
    }
    if (signature.content[0] !== 0) throw new DerError('the signature BIT STRING has unused bits');
    const [version, name, key] = infoParts;
    if (expectTag(version, tags.integer, 'version').content.toString('hex') !== '00') {
      throw new DerError('version must be 0');
    }
    const subject = decodeName(expectTag(name, tags.sequence, 'subject'));
    const spki = expectTag(key, tags.sequence, 'subjectPKInfo').raw;
    return { subject, spki, info, algorithm, signature };
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw invalid(
      `The CSR is not a valid PKCS#10 request (${error instanceof Error ? error.message : 'unreadable'}).`,
      error,
    );
  }
}

/** A verification that threw: an algorithm we refuse says so; anything else is a signature that does not verify. */
const failedVerification = (error: unknown): false | UnsupportedSignatureAlgorithm =>
  error instanceof UnsupportedSignatureAlgorithm ? error : false;

/** The request, once its signature's verification says `verified`; otherwise why it is refused. */
function accept(
  parsed: ParsedCsr,
  publicKey: PublicKeyInfo,
  verified: boolean | UnsupportedSignatureAlgorithm,
): CertificationRequest {
  if (verified instanceof UnsupportedSignatureAlgorithm) {
    throw invalid(`The CSR is signed with ${verified.message}.`, verified);
  }
  if (!verified) {
    throw new StationError(
      'CSR_SIGNATURE_INVALID',
      "The CSR's signature does not verify with its own public key: the requester did not prove it holds the key.",
      { step: 'verify-csr' },
    );
  }
  return { subject: parsed.subject, publicKey };
}

/**
 * Reads a PKCS#10 request (PEM or DER) and checks its signature: a CSR whose signature does not
 * verify under its own key proves nothing about who holds that key, so it is refused.
 */
export async function readCsr(bytes: Buffer): Promise<CertificationRequest> {
  const parsed = parseCsr(bytes);
  const publicKey = readPublicKey(parsed.spki);
  const { algorithm, info, signature } = parsed;
  const verified = await verifyWithAlgorithm(algorithm, publicKey.key, info.raw, signature.content.subarray(1)).catch(
    failedVerification,
  );
  return accept(parsed, publicKey, verified);
}

/**
 * A request that readCsr() has already accepted, these very bytes (a batch job's row, checked
 * when the job was validated): its subject and a description of its key, without verifying its
 * signature or importing its key again.
 */
export function readCheckedCsr(bytes: Buffer): { subject: DecodedNameAttribute[]; publicKey: PublicKeyDescription } {
  const { subject, spki } = parseCsr(bytes);
  return { subject, publicKey: describeCheckedPublicKey(spki) };
}

/**
 * readCsr() on the calling thread, for a worker thread that checks requests and does nothing
 * else: the signature is verified here rather than on libuv's pool, and the key imported through
 * importPublicKey().
 */
export async function readCsrOnThisThread(bytes: Buffer): Promise<CertificationRequest> {
  const parsed = parseCsr(bytes);
  const publicKey = await importPublicKey(parsed.spki);
  const { algorithm, info, signature } = parsed;
  let verified: boolean | UnsupportedSignatureAlgorithm;
  try {
    verified = verifyWithAlgorithmSync(algorithm, publicKey.key, info.raw, signature.content.subarray(1));
  } catch (error) {
    verified = failedVerification(error);
  }
  return accept(parsed, publicKey, verified);
}

/** Makes a CSR for a key held in the key store (an issuing CA's request to the company's root). */
export async function createCsr(
  store: KeyStore,
  key: KeyRef,
  scheme: SignatureScheme,
  subject: readonly NameAttribute[],
): Promise<Buffer> {
  const spki = await store.getPublicKey(key);
  // attributes [0] IMPLICIT SET OF Attribute: present and empty.
  const info = sequence(smallInteger(0), encodeName(subject), spki, tlv(0xa0, Buffer.alloc(0)));
  const signature = await store.sign(key, scheme, info);
  return sequence(info, algorithmIdentifier(scheme), bitString(signature));
}
