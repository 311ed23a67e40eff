import { createECDH, type ECDH } from 'node:crypto';

/**
 * One ECDH object per curve, per thread, given a new key pair on every call. createECDH builds
 * the curve's group from scratch (OpenSSL's Montgomery set-up), which costs as much as the key
 * generation itself; generateKeys() on an existing object makes a new pair on the group it has.
 * The object replaces (and overwrites) its previous private key, so the caller must take what it
 * needs (getPrivateKey, computeSecret) before the next call on this thread.
 */
const byCurve = new Map<string, ECDH>();

/** A new key pair on `curveName` (Node's name, e.g. prime256v1): returns the object holding it and its public point. */
export function newEcdhKeyPair(curveName: string): { ecdh: ECDH; publicPoint: Buffer } {
  let ecdh = byCurve.get(curveName);
  if (!ecdh) {
    ecdh = createECDH(curveName);
    byCurve.set(curveName, ecdh);
  }
  return { ecdh, publicPoint: ecdh.generateKeys() };
}
