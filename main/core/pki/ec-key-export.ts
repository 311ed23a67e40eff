import { newEcdhKeyPair } from './ecdh-key-pairs';

/**
 * A fresh EC key pair written out exactly as OpenSSL exports it (PKCS#8 with the public key,
 * SubjectPublicKeyInfo): made with ECDH's key generation and put into fixed DER around its scalar
 * and point, which is several times cheaper than a KeyObject's generation and export under
 * OpenSSL 3.
 */

export type FastEcCurve = 'P-256' | 'P-384';

interface EcForm {
  /** Node's name for the curve. */
  ecdhName: string;
  /** The private scalar's length in bytes. */
  size: number;
  /** PrivateKeyInfo up to the ECPrivateKey's privateKey OCTET STRING content. */
  pkcs8Head: Buffer;
  /** Between the scalar and the point: publicKey [1] and its BIT STRING header. */
  pkcs8Middle: Buffer;
  /** SubjectPublicKeyInfo up to the point. */
  spkiHead: Buffer;
}

const forms: Record<FastEcCurve, EcForm> = {
  'P-256': {
    ecdhName: 'prime256v1',
    size: 32,
    pkcs8Head: Buffer.from('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420', 'hex'),
    pkcs8Middle: Buffer.from('a144034200', 'hex'),
    spkiHead: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  },
  'P-384': {
    ecdhName: 'secp384r1',
    size: 48,
    pkcs8Head: Buffer.from('3081b6020100301006072a8648ce3d020106052b8104002204819e30819b0201010430', 'hex'),
    pkcs8Middle: Buffer.from('a164036200', 'hex'),
    spkiHead: Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex'),
  },
};

/** DER as PEM text bytes (64-character lines, as OpenSSL writes them). */
export function pemBytes(der: Buffer, label: string): Buffer {
  const base64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return Buffer.from(`-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`, 'utf8');
}

/**
 * A new key pair on `curve`: its SubjectPublicKeyInfo (DER) and its private key as PKCS#8 PEM
 * bytes, which the caller wipes once used. The intermediate clear bytes are wiped here.
 */
export function ecKeyPairPkcs8Pem(curve: FastEcCurve): { spki: Buffer; pkcs8Pem: Buffer } {
  const form = forms[curve];
  const { ecdh, publicPoint: point } = newEcdhKeyPair(form.ecdhName);
  const scalar = ecdh.getPrivateKey();
  const padded = Buffer.alloc(form.size);
  scalar.copy(padded, form.size - scalar.length);
  scalar.fill(0);
  const der = Buffer.concat([form.pkcs8Head, padded, form.pkcs8Middle, point]);
  padded.fill(0);
  try {
    return { spki: Buffer.concat([form.spkiHead, point]), pkcs8Pem: pemBytes(der, 'PRIVATE KEY') };
  } finally {
    der.fill(0);
  }
}
