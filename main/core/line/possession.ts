/**
 * Proof of possession against an issued certificate: a fresh random challenge, signed by the
 * device, verified with the certificate's public key. Shared by the line (before PASS) and QA.
 */
import { randomBytes, verify, X509Certificate } from 'node:crypto';
import type { DeviceConnection } from '../device/drivers';
import { FlowFailure } from './failures';

const CHALLENGE_BYTES = 32;

export async function proveAgainstCertificate(connection: DeviceConnection, certificateDer: Buffer): Promise<void> {
  const challenge = randomBytes(CHALLENGE_BYTES);
  const proof = await connection.proveKeyPossession(challenge);
  if ('unsupported' in proof) throw new FlowFailure('POSSESSION_UNSUPPORTED', proof.unsupported);
  // The driver may prefix a context, but what was signed must end with our challenge: otherwise
  // a replayed or unrelated signature could pass.
  const signed = proof.message;
  if (signed.length < challenge.length || !signed.subarray(signed.length - challenge.length).equals(challenge)) {
    throw new FlowFailure('POSSESSION_FAILED', 'The device signed something other than the challenge it was sent.');
  }
  const key = new X509Certificate(certificateDer).publicKey;
  let ok: boolean;
  try {
    ok = verify(proof.hash, signed, key, proof.signature);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new FlowFailure(
      'POSSESSION_FAILED',
      "The device's signature over the challenge does not verify with the issued certificate's key.",
    );
  }
}
