import type { KeyObject } from 'node:crypto';
import { StationError } from '../errors/station-error';
import { type ParsedCertificate, parseCertificate } from './certificate';
import { children, expectTag, readOnly, sequence, tags } from './der';
import { decodeKeyUsage } from './extensions/key-usage';
import { oids } from './oids';
import { type PublicKeyInfo, readPublicKey } from './public-key';

/**
 * A certificate that private keys may be encrypted to, as checked by `checkRecipient`. Only
 * `checkRecipient` makes one, so `envelope` never has to second-guess its recipient.
 */
export type Recipient = RsaRecipient | EcRecipient;

interface RecipientBase {
  certificate: ParsedCertificate;
  /** IssuerAndSerialNumber (RFC 5652 10.2.4), the issuer Name and serial INTEGER exactly as the certificate encodes them. */
  issuerAndSerialNumber: Buffer;
  publicKey: KeyObject;
  /** "RSA 2048", "EC P-384": shown to people. */
  label: string;
}

export interface RsaRecipient extends RecipientBase {
  kind: 'rsa';
  bits: number;
}

export interface EcRecipient extends RecipientBase {
  kind: 'ec';
  curve: 'P-256' | 'P-384' | 'P-521';
  /** The recipient's public point, uncompressed (04 || X || Y), as the certificate carries it. */
  publicPoint: Buffer;
}

const minimumRsaBits = 2048;

const curveOfKeyType: Record<string, EcRecipient['curve']> = {
  'EC-P256': 'P-256',
  'EC-P384': 'P-384',
  'EC-P521': 'P-521',
};

function unusable(message: string, cause?: unknown): StationError {
  return new StationError('RECIPIENT_UNUSABLE', message, { step: 'check-recipient', cause });
}

/** Node's names for key types that cannot receive keys, as people write them. */
const keyTypeNames: Record<string, string> = {
  dsa: 'DSA',
  dh: 'Diffie-Hellman',
  'rsa-pss': 'RSA-PSS (a signature-only RSA key)',
  ed448: 'Ed448',
  x25519: 'X25519',
  x448: 'X448',
};

const day = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * Checks that `certDer` is a certificate the station can encrypt private keys to, and returns it
 * ready for `envelope`. Refuses (RECIPIENT_UNUSABLE) what cannot be read, key types CMS key
 * transport or ECDH cannot use, keys too weak for the keys they would protect, certificates whose
 * key usage forbids encryption, and expired certificates.
 */
export function checkRecipient(certDer: Buffer, now: Date = new Date()): Recipient {
  let certificate: ParsedCertificate;
  try {
    certificate = parseCertificate(certDer);
  } catch (error) {
    throw unusable(
      'The recipient certificate could not be read: it is not a DER-encoded X.509 certificate. ' +
        'Ask for the certificate of the person or system that will receive the keys.',
      error,
    );
  }

  let key: PublicKeyInfo;
  try {
    key = readPublicKey(certificate.spki);
  } catch (error) {
    throw unusable(
      'The public key in the recipient certificate could not be read: it is damaged or of a type the station does not know.',
      error,
    );
  }

  if (certificate.notAfter.getTime() < now.getTime()) {
    throw unusable(
      `The recipient certificate expired on ${day(certificate.notAfter)} ` +
        `(valid from ${day(certificate.notBefore)} to ${day(certificate.notAfter)}). Ask for a current certificate.`,
    );
  }

  const usages = readKeyUsages(certificate);
  const base = recipientBase(certificate, key);

  if (key.type === 'RSA') {
    if (key.bits < minimumRsaBits) {
      throw unusable(
        `The recipient certificate's key is RSA with ${key.bits} bits, too weak to protect device keys; ` +
          `use a certificate with an RSA key of ${minimumRsaBits} bits or more, or an EC P-256, P-384 or P-521 key.`,
      );
    }
    if (usages && !usages.includes('keyEncipherment')) {
      throw unusable(
        'The recipient certificate does not allow key encipherment (its key usage is ' +
          `${describeUsages(usages)}), so its RSA key may not be used to encrypt keys.`,
      );
    }
    return { ...base, kind: 'rsa', bits: key.bits };
  }

  const curve = curveOfKeyType[key.type];
  if (curve) {
    if (usages && !usages.includes('keyAgreement')) {
      throw unusable(
        'The recipient certificate does not allow key agreement (its key usage is ' +
          `${describeUsages(usages)}), so its EC key may not be used to encrypt keys.`,
      );
    }
    return { ...base, kind: 'ec', curve, publicPoint: publicPointOf(certificate.spki) };
  }

  if (key.type.startsWith('EC-')) {
    throw unusable(
      `The recipient certificate has a key on the curve ${key.label.replace(/^EC /, '')}; ` +
        'only P-256, P-384 and P-521 are supported for encrypting keys.',
    );
  }
  throw unusable(
    `The recipient certificate's key is of type ${keyTypeNames[key.type] ?? key.label}, which cannot be used ` +
      'to encrypt keys. Use a certificate with an RSA key of 2048 bits or more, or an EC P-256, P-384 or P-521 key.',
  );
}

/**
 * The Recipient that `checkRecipient` returned for `certDer`, rebuilt where only bytes can be
 * passed (a worker thread). The certificate is not checked again: `checkRecipient` accepted it.
 */
export function rebuildRecipient(certDer: Buffer): Recipient {
  const certificate = parseCertificate(certDer);
  const key = readPublicKey(certificate.spki);
  const base = recipientBase(certificate, key);
  if (key.type === 'RSA') return { ...base, kind: 'rsa', bits: key.bits };
  const curve = curveOfKeyType[key.type];
  if (!curve) throw unusable(`The recipient certificate's key (${key.label}) cannot be used to encrypt keys.`);
  return { ...base, kind: 'ec', curve, publicPoint: publicPointOf(certificate.spki) };
}

function recipientBase(certificate: ParsedCertificate, key: PublicKeyInfo): RecipientBase {
  const issuerAndSerialNumber = sequence(certificate.issuerRaw, serialNumberOf(certificate));
  return { certificate, issuerAndSerialNumber, publicKey: key.key, label: key.label };
}

/** The key usages the certificate allows, or null when it has no keyUsage extension (then any use is allowed). */
function readKeyUsages(certificate: ParsedCertificate): string[] | null {
  const extension = certificate.extensions.get(oids.keyUsage);
  if (!extension) return null;
  try {
    return decodeKeyUsage(expectTag(readOnly(extension.value), tags.bitString, 'keyUsage').content);
  } catch (error) {
    throw unusable('The key usage extension of the recipient certificate is damaged.', error);
  }
}

const describeUsages = (usages: readonly string[]): string => (usages.length ? usages.join(', ') : 'empty');

/** The serialNumber INTEGER as encoded: IssuerAndSerialNumber must match it byte for byte. */
function serialNumberOf(certificate: ParsedCertificate): Buffer {
  const fields = children(certificate.tbs);
  const serial = fields[0]?.tag === 0xa0 ? fields[1] : fields[0];
  return expectTag(serial, tags.integer, 'serialNumber').raw;
}

/** The EC point in the SubjectPublicKeyInfo's BIT STRING (readPublicKey has already checked its shape). */
function publicPointOf(spki: Buffer): Buffer {
  const [, subjectPublicKey] = children(readOnly(spki));
  return expectTag(subjectPublicKey, tags.bitString, 'subjectPublicKey').content.subarray(1);
}
