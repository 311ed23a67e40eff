import { bitString, nullValue, objectIdentifier, sequence, unsignedInteger } from './der';
import type { KeyAlgorithm } from './key-store';

/** Curve OIDs as DER, which is also exactly what CKA_EC_PARAMS holds for a named curve. */
export const curveParams = {
  'EC-P256': objectIdentifier('1.2.840.10045.3.1.7'),
  'EC-P384': objectIdentifier('1.3.132.0.34'),
} as const satisfies Partial<Record<KeyAlgorithm, Buffer>>;

/** RFC 8410 id-Ed25519; SoftHSM 2.6.1 also takes the PrintableString "edwards25519", the OID is the portable choice. */
export const ed25519Params = objectIdentifier('1.3.101.112');

const idEcPublicKey = objectIdentifier('1.2.840.10045.2.1');
const rsaEncryption = objectIdentifier('1.2.840.113549.1.1.1');

/** SPKI for an EC key: `ecParams` is the DER curve OID, `point` the uncompressed point (04 || X || Y). */
export function ecSpki(ecParams: Buffer, point: Buffer): Buffer {
  return sequence(sequence(idEcPublicKey, ecParams), bitString(point));
}

/** SPKI for an RSA key from its big-endian modulus and public exponent. */
export function rsaSpki(modulus: Buffer, publicExponent: Buffer): Buffer {
  const rsaPublicKey = sequence(unsignedInteger(modulus), unsignedInteger(publicExponent));
  return sequence(sequence(rsaEncryption, nullValue()), bitString(rsaPublicKey));
}

/** SPKI for an Ed25519 key from its 32-byte public point (RFC 8410: no parameters). */
export function ed25519Spki(point: Buffer): Buffer {
  if (point.length !== 32) throw new Error(`Ed25519 public key of ${point.length} bytes, expected 32`);
  return sequence(sequence(ed25519Params), bitString(point));
}
