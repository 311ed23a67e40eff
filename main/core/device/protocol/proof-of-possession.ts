/**
 * What SIGN_CHALLENGE signs. The device never signs the bare challenge: it signs a fixed context
 * string, one 0x00, then the challenge, so the provisioning port cannot be used to sign TLS
 * handshakes or other protocols' data with the device's identity key.
 */
import { POP_CONTEXT, type KeyType } from './codes';

/** The bytes the device signs: ASCII POP_CONTEXT, 0x00, challenge. */
export function proofOfPossessionMessage(challenge: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(POP_CONTEXT, 'ascii'), Buffer.from([0]), challenge]);
}

/**
 * The digest for each key type's signature over that message: ECDSA P-256 with SHA-256, ECDSA
 * P-384 with SHA-384, Ed25519 as PureEdDSA (no pre-hash; `null` for Node's crypto.verify).
 */
export const POP_SIGNATURE_DIGEST: Readonly<Record<KeyType, 'sha256' | 'sha384' | null>> = {
  ecP256: 'sha256',
  ecP384: 'sha384',
  ed25519: null,
};
