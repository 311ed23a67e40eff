/**
 * Pure encoders and parsers for the nRF91 credential commands: the `%KEYGEN` answer, the
 * `%CMNG` list and read answers, PEM as this driver writes it, and the DER Name → `%KEYGEN`
 * subject string.
 *
 * PEM convention (fixed, because the modem's listed SHA-256 is over the exact string written):
 * each certificate as `-----BEGIN CERTIFICATE-----\n`, base64 in lines of 64 characters each
 * ending in `\n`, `-----END CERTIFICATE-----\n`; LF only, no CR; several certificates simply
 * concatenated (leaf first, then its issuers); no blank lines, no trailing text. The same for a
 * PKCS#8 key with the label `PRIVATE KEY`.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { children, decodeOid, decodeString, readOnly } from '../../../pki/der';

/** The credential types of `AT%CMNG`. */
export const CMNG_TYPE = {
  rootCa: 0,
  clientCertificate: 1,
  clientPrivateKey: 2,
  psk: 3,
  pskIdentity: 4,
  publicKey: 5,
  deviceIdentityPublicKey: 6,
} as const;

export function pemOf(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.map((line) => `${line}\n`).join('')}-----END ${label}-----\n`;
}

/** The exact PEM string the driver writes for a list of certificates (see the file comment). */
export function certificatesPem(ders: Buffer[]): string {
  return ders.map((der) => pemOf('CERTIFICATE', der)).join('');
}

/** DER of every `label` block in a PEM text (any newline convention). */
export function parsePem(text: string, label = 'CERTIFICATE'): Buffer[] {
  const out: Buffer[] = [];
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  for (const match of text.matchAll(pattern)) out.push(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64'));
  return out;
}

/** Upper-case hex SHA-256 of the exact string, as `AT%CMNG=1` lists it. */
export function cmngDigest(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex').toUpperCase();
}

export interface CmngEntry {
  secTag: number;
  type: number;
  /** Upper-case hex SHA-256 of the content as written. */
  sha256: string;
}

/** Splits `a,b,"c,d"` at commas outside quotes; quoted fields are unquoted and kept exactly. */
export function splitAtParameters(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quotedValue: string | null = null;
  let quoted = false;
  const finish = () => {
    out.push(quotedValue ?? current.trim());
    current = '';
    quotedValue = null;
  };
  for (const char of text) {
    if (char === '"') {
      if (quoted) quotedValue = (quotedValue ?? '') + current;
      current = '';
      quoted = !quoted;
    } else if (char === ',' && !quoted) finish();
    else current += char;
  }
  if (quoted) quotedValue = (quotedValue ?? '') + current;
  finish();
  return out;
}

/** `%CMNG: <tag>,<type>[,"<sha>"[,"<content>"]]` → its fields, or null for another line. */
export function parseCmngLine(line: string): (CmngEntry & { content: string | null }) | null {
  const match = /^%CMNG:\s*([\s\S]*)$/.exec(line);
  if (!match?.[1]) return null;
  const [tag, type, sha, content] = splitAtParameters(match[1]);
  if (!tag || !type || !/^\d+$/.test(tag) || !/^\d+$/.test(type)) return null;
  return { secTag: Number(tag), type: Number(type), sha256: (sha ?? '').toUpperCase(), content: content ?? null };
}

export interface KeygenAnswer {
  /** The first part: a PKCS#10 CSR (format 0) or the public key (format 1), DER. */
  der: Buffer;
  /** The second part: the COSE_Sign1 attestation (CBOR), not checked by this driver. */
  coseSign1: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Parses `%KEYGEN: "<base64url>.<base64url>"` (unpadded base64url). Throws on anything else. */
export function parseKeygenAnswer(line: string): KeygenAnswer {
  const match = /^%KEYGEN:\s*"([^"]*)"$/.exec(line.trim());
  if (!match?.[1]) throw new Error(`not a %KEYGEN answer: ${line.slice(0, 40)}`);
  const parts = match[1].split('.');
  const [first, second] = parts;
  if (parts.length !== 2 || !first || !second || !BASE64URL.test(first) || !BASE64URL.test(second)) {
    throw new Error('the %KEYGEN answer is not two unpadded base64url parts joined by "."');
  }
  return { der: Buffer.from(first, 'base64url'), coseSign1: Buffer.from(second, 'base64url') };
}

/** SPKI prefix of a P-256 key with an uncompressed point (the 65 bytes follow). */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * The public key of a `%KEYGEN` format 1 answer as DER SubjectPublicKeyInfo. nRF91 firmwares
 * answer an SPKI; a raw uncompressed P-256 point (04‖X‖Y, 65 bytes) is accepted too and wrapped.
 */
export function spkiFromKeygenPublicKey(der: Buffer): Buffer {
  const spki = der.length === 65 && der[0] === 0x04 ? Buffer.concat([P256_SPKI_PREFIX, der]) : der;
  // Parses it: throws when it is not a public key node:crypto understands.
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('the modem key is not P-256');
  return spki;
}

/** The SPKI inside a PKCS#10 CSR, after checking the CSR's own signature with it. */
export function spkiFromCsr(csr: Buffer): Buffer {
  const [info, , signature] = children(readOnly(csr));
  if (!info || !signature || signature.tag !== 0x03) throw new Error('the CSR is not a PKCS#10 structure');
  const spki = children(info)[2];
  if (!spki || spki.tag !== 0x30) throw new Error('the CSR has no SubjectPublicKeyInfo');
  const key = createPublicKey({ key: spki.raw, format: 'der', type: 'spki' });
  if (!verify('sha256', info.raw, key, signature.content.subarray(1))) {
    throw new Error('the CSR signature does not verify with its own key');
  }
  return Buffer.from(spki.raw);
}

const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

/**
 * A DER X.501 Name as the `%KEYGEN` subject string ("CN=…,O=…", in DER order). Only the
 * attributes above, and no commas, quotes or backslashes in values (the modem has no escaping).
 */
export function subjectString(name: Buffer): string {
  const parts: string[] = [];
  for (const rdn of children(readOnly(name))) {
    for (const attribute of children(rdn)) {
      const [oidNode, valueNode] = children(attribute);
      if (!oidNode || !valueNode) throw new Error('malformed subject attribute');
      const oid = decodeOid(oidNode.content);
      const short = NAME_ATTRIBUTES[oid];
      if (!short) throw new Error(`the modem subject string cannot carry attribute ${oid}`);
      const value = decodeString(valueNode);
      if (/[,"\\+=]/.test(value)) throw new Error(`the subject value "${value}" has characters the modem cannot take`);
      parts.push(`${short}=${value}`);
    }
  }
  return parts.join(',');
}
