import { constants, type KeyObject, verify } from 'node:crypto';
import type { SignatureScheme } from '../../hsm';

/** The digest a scheme signs over; null for Ed25519, which hashes inside. */
export function hashOf(scheme: SignatureScheme): 'sha256' | 'sha384' | null {
  if (scheme === 'Ed25519') return null;
  return scheme.endsWith('SHA384') ? 'sha384' : 'sha256';
}

/** Checks a key store's signature with node:crypto, independently of the store's own code. */
export function verifyWithNode(
  publicKey: KeyObject,
  scheme: SignatureScheme,
  data: Buffer,
  signature: Buffer,
): boolean {
  const hash = hashOf(scheme);
  if (scheme.startsWith('RSA-PSS-')) {
    const saltLength = hash === 'sha384' ? 48 : 32;
    return verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  }
  if (scheme.startsWith('RSA-PKCS1-')) {
    return verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
  // ECDSA: stores return DER, which is node:crypto's default encoding.
  return verify(hash, data, publicKey, signature);
}
