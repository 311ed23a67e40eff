import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { StationError } from '../errors/station-error';
import { children, decodeOid, DerError, expectTag, readOnly, tags } from './der';
import { oids } from './oids';

/** The device key's type as policies name it: EC-P256, EC-P384, EC-P521, RSA, Ed25519, or what else it is. */
export interface PublicKeyInfo {
  /** The SubjectPublicKeyInfo exactly as given: the certificate carries the key the device sent. */
  spki: Buffer;
  key: KeyObject;
  /** 'EC-P256' | 'EC-P384' | 'EC-P521' | 'RSA' | 'Ed25519', or a description of an unsupported type. */
  type: string;
  /** Modulus bits for RSA, curve size for EC, 256 for Ed25519. */
  bits: number;
  /** Shown to people: "EC P-256", "RSA 2048". */
  label: string;
}

const curves: Record<string, { type: string; bits: number; label: string; jwk: string; size: number }> = {
  [oids.p256]: { type: 'EC-P256', bits: 256, label: 'EC P-256', jwk: 'P-256', size: 32 },
  [oids.p384]: { type: 'EC-P384', bits: 384, label: 'EC P-384', jwk: 'P-384', size: 48 },
  [oids.p521]: { type: 'EC-P521', bits: 521, label: 'EC P-521', jwk: 'P-521', size: 66 },
};

const namedCurves: Record<string, string> = { prime256v1: oids.p256, secp384r1: oids.p384, secp521r1: oids.p521 };

export function describePublicKey(key: KeyObject, spki: Buffer): PublicKeyInfo {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      const known = curves[namedCurves[curve] ?? ''];
      return known
        ? { spki, key, type: known.type, bits: known.bits, label: known.label }
        : { spki, key, type: `EC-${curve}`, bits: 0, label: `EC ${curve}` };
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

const b64url = (bytes: Buffer) => bytes.toString('base64url');

function unsignedBits(magnitude: Buffer): number {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const top = magnitude[start] ?? 0;
  return (magnitude.length - start - 1) * 8 + (top === 0 ? 0 : Math.floor(Math.log2(top)) + 1);
}

/**
 * The common key types as a JWK with their type already known. OpenSSL's DER key decoder costs
 * twice an ECDSA verification, and a JWK import half of it: issuance reads a key per certificate,
 * so the DER decoder is kept for the rare types this does not cover.
 */
function fastKey(spki: Buffer): { jwk: JsonWebKey; type: string; bits: number; label: string } | null {
  const [algorithm, subjectPublicKey] = children(expectTag(readOnly(spki), tags.sequence, 'SubjectPublicKeyInfo'));
  const [idNode, params] = children(expectTag(algorithm, tags.sequence, 'algorithm'));
  const bits = expectTag(subjectPublicKey, tags.bitString, 'subjectPublicKey').content;
  if (bits[0] !== 0) return null;
  const key = bits.subarray(1);
  const id = decodeOid(expectTag(idNode, tags.oid, 'algorithm').content);
  if (id === oids.ecPublicKey && params?.tag === tags.oid) {
    const curve = curves[decodeOid(params.content)];
    if (!curve || key.length !== 1 + 2 * curve.size || key[0] !== 0x04) return null;
    return {
      jwk: {
        kty: 'EC',
        crv: curve.jwk,
        x: b64url(key.subarray(1, 1 + curve.size)),
        y: b64url(key.subarray(1 + curve.size)),
      },
      type: curve.type,
      bits: curve.bits,
      label: curve.label,
    };
  }
  if (id === oids.rsaEncryption) {
    const [n, e] = children(expectTag(readOnly(key), tags.sequence, 'RSAPublicKey'));
    const modulus = expectTag(n, tags.integer, 'modulus').content;
    const exponent = expectTag(e, tags.integer, 'publicExponent').content;
    const size = unsignedBits(modulus);
    const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
    return {
      jwk: { kty: 'RSA', n: b64url(strip(modulus)), e: b64url(strip(exponent)) },
      type: 'RSA',
      bits: size,
      label: `RSA ${size}`,
    };
  }
  if (id === oids.ed25519 && key.length === 32) {
    return { jwk: { kty: 'OKP', crv: 'Ed25519', x: b64url(key) }, type: 'Ed25519', bits: 256, label: 'Ed25519' };
  }
  return null;
}

/** Parses a DER SubjectPublicKeyInfo, or throws PUBLIC_KEY_INVALID. */
export function readPublicKey(spki: Buffer): PublicKeyInfo {
  try {
    const fast = fastKey(spki);
    if (fast)
      return {
        spki,
        key: createPublicKey({ key: fast.jwk, format: 'jwk' }),
        type: fast.type,
        bits: fast.bits,
        label: fast.label,
      };
    return describePublicKey(createPublicKey({ key: spki, format: 'der', type: 'spki' }), spki);
  } catch (error) {
    const detail = error instanceof DerError ? ` (${error.message})` : '';
    throw new StationError(
      'PUBLIC_KEY_INVALID',
      `The public key could not be read (not a valid SubjectPublicKeyInfo${detail}).`,
      {
        step: 'read-public-key',
        cause: error,
      },
    );
  }
}
