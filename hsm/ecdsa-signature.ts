import { sequence, unsignedInteger } from './der';

/**
 * PKCS#11's CKM_ECDSA returns r || s as two fixed-width halves; X.509 and CSRs carry the DER
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }.
 */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  if (raw.length === 0 || raw.length % 2 !== 0) {
    throw new Error(`ECDSA signature of odd length ${raw.length}`);
  }
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}
