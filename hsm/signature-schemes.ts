import { createHash } from 'node:crypto';
import { objectIdentifier, nullValue, octetString, sequence } from './der';
import { KeyStoreError, schemesFor } from './key-store';
import type { KeyRef, SignatureScheme } from './key-store';

export type HashName = 'sha256' | 'sha384';

/** The hash a scheme signs over; null for Ed25519, which hashes inside the algorithm. */
export function hashOf(scheme: SignatureScheme): HashName | null {
  if (scheme === 'Ed25519') return null;
  return scheme.endsWith('SHA384') ? 'sha384' : 'sha256';
}

export function hashLength(hash: HashName): number {
  return hash === 'sha384' ? 48 : 32;
}

export function digest(hash: HashName, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

const hashOids: Record<HashName, Buffer> = {
  sha256: objectIdentifier('2.16.840.1.101.3.4.2.1'),
  sha384: objectIdentifier('2.16.840.1.101.3.4.2.2'),
};

/** PKCS#1 v1.5 DigestInfo, so CKM_RSA_PKCS (which every module has) can sign a hash made in Node. */
export function digestInfo(hash: HashName, digestValue: Buffer): Buffer {
  return sequence(sequence(hashOids[hash], nullValue()), octetString(digestValue));
}

/** Refuses a scheme the key cannot sign with, before anything reaches the token. */
export function assertSchemeFits(key: KeyRef, scheme: SignatureScheme): void {
  if (!schemesFor(key.algorithm).includes(scheme)) {
    throw new KeyStoreError(
      'HSM_MECHANISM_UNSUPPORTED',
      `key "${key.label}" (${key.algorithm}) cannot sign with ${scheme}; it signs with ${schemesFor(key.algorithm).join(', ')}`,
    );
  }
}
