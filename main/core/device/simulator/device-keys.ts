/**
 * The simulated device's key operations with node:crypto: P-256 key generation and import, the
 * spec's PKCS#10 CSR, and proof-of-possession signatures. A real device does this in its secure
 * element and never lets the private key out; the simulator keeps it in its state file.
 */
import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { proofOfPossessionMessage } from '../protocol';
import { derElement } from './der-lite';

/** ecdsa-with-SHA256 AlgorithmIdentifier, as the spec spells it. */
const ECDSA_WITH_SHA256 = Buffer.from('300a06082a8648ce3d040302', 'hex');
/** The order n of P-256: a written scalar must be 1 ≤ d ≤ n − 1. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

export function generateP256(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}

/** Undefined when the scalar is 0 or ≥ n (the spec's INVALID_KEY). */
export function importP256(scalar: Buffer): KeyObject | undefined {
  const d = BigInt(`0x${scalar.toString('hex')}`);
  if (scalar.length !== 32 || d === 0n || d >= P256_ORDER) return undefined;
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey(); // 04 || X || Y
  const b64 = (b: Buffer) => b.toString('base64url');
  return createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: b64(scalar), x: b64(point.subarray(1, 33)), y: b64(point.subarray(33, 65)) },
    format: 'jwk',
  });
}

/** DER SubjectPublicKeyInfo: for P-256 the spec's 91-byte form with an uncompressed point. */
export function spkiOf(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}

/** PKCS#10 with the subject verbatim, the key's SPKI, no attributes, signed ECDSA-SHA256. */
export function buildCsr(privateKey: KeyObject, subject: Buffer): Buffer {
  const info = derElement(
    0x30,
    Buffer.from([0x02, 0x01, 0x00]),
    subject,
    spkiOf(privateKey),
    Buffer.from([0xa0, 0x00]),
  );
  const signature = sign('sha256', info, privateKey); // DER Ecdsa-Sig-Value
  return derElement(0x30, info, ECDSA_WITH_SHA256, derElement(0x03, Buffer.from([0]), signature));
}

export function signProofOfPossession(privateKey: KeyObject, challenge: Buffer): Buffer {
  return sign('sha256', proofOfPossessionMessage(challenge), privateKey);
}

export const exportPrivateKey = (key: KeyObject): string =>
  key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
export const loadPrivateKey = (pkcs8Base64: string): KeyObject =>
  createPrivateKey({ key: Buffer.from(pkcs8Base64, 'base64'), format: 'der', type: 'pkcs8' });
