import { createPublicKey, type KeyObject } from 'node:crypto';
import { StationError } from '../errors/station-error';

/** The device key's type as policies name it: EC-P256, EC-P384, EC-P521, RSA, Ed25519, or what else it is. */
export interface PublicKeyInfo {
  spki: Buffer;
  key: KeyObject;
  /** 'EC-P256' | 'EC-P384' | 'EC-P521' | 'RSA' | 'Ed25519', or a description of an unsupported type. */
  type: string;
  /** Modulus bits for RSA, curve size for EC, 256 for Ed25519. */
  bits: number;
  /** Shown to people: "EC P-256", "RSA 2048". */
  label: string;
}

const curves: Record<string, { type: string; bits: number; label: string }> = {
  prime256v1: { type: 'EC-P256', bits: 256, label: 'EC P-256' },
  secp384r1: { type: 'EC-P384', bits: 384, label: 'EC P-384' },
  secp521r1: { type: 'EC-P521', bits: 521, label: 'EC P-521' },
};

export function describePublicKey(key: KeyObject, spki: Buffer): PublicKeyInfo {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      const known = curves[curve];
      return known ? { spki, key, ...known } : { spki, key, type: `EC-${curve}`, bits: 0, label: `EC ${curve}` };
    }
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      return { spki, key, type: 'RSA', bits, label: `RSA ${bits}` };
    }
    case 'ed25519':
      return { spki, key, type: 'Ed25519', bits: 256, label: 'Ed25519' };
    default:
      return { spki, key, type: String(key.asymmetricKeyType), bits: 0, label: String(key.asymmetricKeyType) };
  }
}

/** Parses a DER SubjectPublicKeyInfo, or throws PUBLIC_KEY_INVALID. */
export function readPublicKey(spki: Buffer): PublicKeyInfo {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (error) {
    throw new StationError(
      'PUBLIC_KEY_INVALID',
      'The public key could not be read (not a valid SubjectPublicKeyInfo).',
      {
        step: 'read-public-key',
        cause: error,
      },
    );
  }
  // Re-export so the certificate carries the canonical encoding, whatever the request carried.
  const canonical = key.export({ format: 'der', type: 'spki' });
  return describePublicKey(key, canonical);
}
