import { constants, type KeyObject, verify } from 'node:crypto';
import type { KeyAlgorithm, SignatureScheme } from '../../../hsm';
import { children, decodeOid, derNull, explicit, type Node, oid, sequence, smallInteger, tags } from './der';
import { oids } from './oids';

function pssParams(hashOid: string, saltLength: number): Buffer {
  const hash = sequence(oid(hashOid), derNull());
  return sequence(
    explicit(0, hash),
    explicit(1, sequence(oid(oids.mgf1), hash)),
    explicit(2, smallInteger(saltLength)),
  );
}

/** The AlgorithmIdentifier DER for each scheme the CA can sign with. */
export function algorithmIdentifier(scheme: SignatureScheme): Buffer {
  switch (scheme) {
    case 'ECDSA-SHA256':
      return sequence(oid(oids.ecdsaWithSha256));
    case 'ECDSA-SHA384':
      return sequence(oid(oids.ecdsaWithSha384));
    case 'RSA-PKCS1-SHA256':
      return sequence(oid(oids.sha256WithRsa), derNull());
    case 'RSA-PKCS1-SHA384':
      return sequence(oid(oids.sha384WithRsa), derNull());
    case 'RSA-PSS-SHA256':
      return sequence(oid(oids.rsassaPss), pssParams(oids.sha256, 32));
    case 'RSA-PSS-SHA384':
      return sequence(oid(oids.rsassaPss), pssParams(oids.sha384, 48));
    case 'Ed25519':
      return sequence(oid(oids.ed25519));
  }
}

/** The scheme a CA key signs with under a policy's hash choice. RSA CAs use PKCS#1 v1.5, as most verifiers expect. */
export function schemeForCaKey(algorithm: KeyAlgorithm, hash: 'SHA-256' | 'SHA-384'): SignatureScheme {
  if (algorithm === 'Ed25519') return 'Ed25519';
  if (algorithm.startsWith('EC-')) return hash === 'SHA-384' ? 'ECDSA-SHA384' : 'ECDSA-SHA256';
  return hash === 'SHA-384' ? 'RSA-PKCS1-SHA384' : 'RSA-PKCS1-SHA256';
}

const hashNames: Record<string, string> = {
  [oids.sha256]: 'sha256',
  [oids.sha384]: 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithms accepted on requests and certificates we check. SHA-1 is refused on purpose. */
const verifiers: Record<string, { hash: string | null; keyType: string; rsa?: 'pkcs1' }> = {
  [oids.ecdsaWithSha256]: { hash: 'sha256', keyType: 'ec' },
  [oids.ecdsaWithSha384]: { hash: 'sha384', keyType: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', keyType: 'ec' },
  [oids.sha256WithRsa]: { hash: 'sha256', keyType: 'rsa', rsa: 'pkcs1' },
  [oids.sha384WithRsa]: { hash: 'sha384', keyType: 'rsa', rsa: 'pkcs1' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', keyType: 'rsa', rsa: 'pkcs1' },
  [oids.ed25519]: { hash: null, keyType: 'ed25519' },
};

export class UnsupportedSignatureAlgorithm extends Error {}

type VerifyKey = KeyObject | { key: KeyObject; padding: number; saltLength?: number };

/**
 * How to verify with the algorithm an AlgorithmIdentifier node names: the hash and the key with
 * its padding, or null when the algorithm names another key type than the key's own (an RSA
 * signature labelled ECDSA proves nothing). Throws UnsupportedSignatureAlgorithm for algorithms
 * we do not accept (SHA-1, MD5, unknown).
 */
function verifierFor(algorithm: Node, key: KeyObject): { hash: string | null; verifyKey: VerifyKey } | null {
  const [idNode, params] = children(algorithm);
  const id = idNode?.tag === tags.oid ? decodeOid(idNode.content) : '';
  if (id === oids.rsassaPss) {
    const parsed = params ? readPssParams(params) : null;
    if (!parsed) throw new UnsupportedSignatureAlgorithm('RSA-PSS with unsupported parameters');
    if (key.asymmetricKeyType !== 'rsa') return null;
    return {
      hash: parsed.hash,
      verifyKey: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: parsed.saltLength },
    };
  }
  const known = verifiers[id];
  if (!known) throw new UnsupportedSignatureAlgorithm(`signature algorithm ${id || '(none)'} is not accepted`);
  if (key.asymmetricKeyType !== known.keyType) return null;
  return { hash: known.hash, verifyKey: known.rsa ? { key, padding: constants.RSA_PKCS1_PADDING } : key };
}

/**
 * Verifies `signature` over `data` with the algorithm named by an AlgorithmIdentifier node, on
 * libuv's thread pool so that checking requests does not hold up the rest of the station.
 * Rejects with UnsupportedSignatureAlgorithm for algorithms we do not accept.
 */
export function verifyWithAlgorithm(
  algorithm: Node,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): Promise<boolean> {
  let verifier: ReturnType<typeof verifierFor>;
  try {
    verifier = verifierFor(algorithm, key);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!verifier) return Promise.resolve(false);
  const { hash, verifyKey } = verifier;
  return new Promise((resolve) => {
    try {
      verify(hash, data, verifyKey, signature, (error, ok) => resolve(!error && ok));
    } catch {
      // A signature that does not even parse for this key is simply not a valid one.
      resolve(false);
    }
  });
}

/**
 * verifyWithAlgorithm() on the calling thread: for a worker thread that does nothing else, where
 * handing each verification to the thread pool would only add threads contending for OpenSSL.
 */
export function verifyWithAlgorithmSync(algorithm: Node, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const verifier = verifierFor(algorithm, key);
  if (!verifier) return false;
  try {
    return verify(verifier.hash, data, verifier.verifyKey, signature);
  } catch {
    return false;
  }
}

function readPssParams(params: Node): { hash: string; saltLength: number } | null {
  let hash = 'sha1';
  let saltLength = 20;
  for (const field of children(params)) {
    const [inner] = children(field);
    if (field.tag === 0xa0 && inner) {
      const [hashOid] = children(inner);
      hash = hashOid ? (hashNames[decodeOid(hashOid.content)] ?? '') : '';
    } else if (field.tag === 0xa2 && inner) {
      saltLength = inner.content.readUIntBE(0, Math.min(inner.content.length, 4));
    }
  }
  return hash && hash !== 'sha1' ? { hash, saltLength } : null;
}
