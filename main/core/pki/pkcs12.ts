import {
  createCipheriv,
  createHash,
  createHmac,
  createPublicKey,
  hash,
  type KeyObject,
  pbkdf2Sync,
  randomBytes,
} from 'node:crypto';
import { StationError } from '../errors/station-error';
import { parseCertificate } from './certificate';
import { derNull, explicit, octetString, oid, sequence, setOf, smallInteger, tlv } from './der';
import { oids } from './oids';

/**
 * PKCS#12 (RFC 7292) files for handing a device's private key and certificates to a person: the
 * key in a PBES2 shrouded key bag, the certificates beside it, the whole under an HMAC-SHA-256
 * MAC. Only algorithms OpenSSL 3 reads without its legacy provider are used (no RC2, no 3DES,
 * no SHA-1 MAC).
 */

export interface Pkcs12Input {
  privateKey: KeyObject;
  /** The device certificate (DER) that goes with `privateKey`. */
  certificate: Buffer;
  /** Issuing CA and any further CA certificates (DER), leaf-most first. */
  chain: Buffer[];
  passcode: string;
  /** The name key stores and browsers show for the key and its certificate. */
  friendlyName: string;
  /** PBKDF2 and MAC iterations; see `defaultPkcs12Iterations`. */
  iterations?: number;
}

/**
 * 10,000 iterations, for both PBKDF2 and the MAC (a weaker MAC would be a cheap passcode oracle, so
 * the two must cost the same). The PKCS#12 MAC derivation has no native implementation and costs
 * one JS hash call per iteration, so a file costs about 12–15 ms (tests/integration/cms-pkcs12.test.ts
 * logs it): 10,000 files take 2–2.5 minutes on one core, not a few seconds. That would need about
 * 250 iterations, which makes guessing a passcode almost free; a batch job that runs once can pay
 * the minutes, or spread files over worker threads. OpenSSL's own default is 2048.
 */
export const defaultPkcs12Iterations = 10_000;

const saltBytes = 16;

export function pkcs12(input: Pkcs12Input): Buffer {
  const iterations = input.iterations ?? defaultPkcs12Iterations;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) {
    throw invalid(`The PKCS#12 iteration count must be a whole number from 1 to 10,000,000, not ${iterations}.`);
  }
  if (input.passcode.length === 0) {
    // An empty passcode would leave the private key readable by anyone who gets the file.
    throw invalid('A PKCS#12 file needs a passcode; an empty one would leave the private key unprotected.');
  }
  checkKeyMatchesCertificate(input.privateKey, input.certificate);

  // localKeyId ties the key to its certificate; the certificate's SHA-1 is what OpenSSL and Windows write.
  const localKeyId = createHash('sha1').update(input.certificate).digest();
  const attributes = bagAttributes(input.friendlyName, localKeyId);
  const keyBag = safeBag(oids.pkcs8ShroudedKeyBag, shroudKey(input.privateKey, input.passcode, iterations), attributes);
  const certificateBags = [
    safeBag(oids.certBag, certBag(input.certificate), attributes),
    ...input.chain.map((der) => safeBag(oids.certBag, certBag(der))),
  ];

  // Certificates are public, so their SafeContents is plain id-data rather than PBE-encrypted
  // EncryptedData: encrypting them would add a second PBKDF2 run per file and protect nothing.
  const authenticatedSafe = sequence(dataContentInfo(sequence(keyBag)), dataContentInfo(sequence(...certificateBags)));
  return sequence(
    smallInteger(3),
    dataContentInfo(authenticatedSafe),
    macData(authenticatedSafe, input.passcode, iterations),
  );
}

function invalid(message: string): StationError {
  return new StationError('INVALID_INPUT', message, { step: 'pkcs12' });
}

function checkKeyMatchesCertificate(privateKey: KeyObject, certificate: Buffer): void {
  let certificateSpki: Buffer;
  try {
    certificateSpki = parseCertificate(certificate).spki;
  } catch (error) {
    throw new StationError('INVALID_INPUT', 'The certificate for the PKCS#12 file could not be read.', {
      step: 'pkcs12',
      cause: error,
    });
  }
  // Compared as keys, not bytes: the certificate may encode the same key differently (e.g. a compressed point).
  if (!createPublicKey({ key: certificateSpki, format: 'der', type: 'spki' }).equals(createPublicKey(privateKey))) {
    throw invalid('The private key does not belong to the certificate it is to be packed with.');
  }
}

/** ContentInfo of type id-data: [0] EXPLICIT OCTET STRING holding `content`. */
const dataContentInfo = (content: Buffer): Buffer => sequence(oid(oids.data), explicit(0, octetString(content)));

function safeBag(bagId: string, bagValue: Buffer, attributes?: Buffer): Buffer {
  return sequence(oid(bagId), explicit(0, bagValue), ...(attributes ? [attributes] : []));
}

const certBag = (der: Buffer): Buffer => sequence(oid(oids.x509CertificateBagType), explicit(0, octetString(der)));

function bagAttributes(friendlyName: string, localKeyId: Buffer): Buffer {
  return setOf(
    sequence(oid(oids.friendlyName), setOf(bmpString(friendlyName))),
    sequence(oid(oids.localKeyId), setOf(octetString(localKeyId))),
  );
}

/** BMPString content: UTF-16 big-endian (characters beyond the BMP as surrogate pairs, as OpenSSL writes them). */
const utf16be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
const bmpString = (text: string): Buffer => tlv(0x1e, utf16be(text));

/**
 * EncryptedPrivateKeyInfo with PBES2 (RFC 8018 6.2): PBKDF2-HMAC-SHA-256 over the passcode's UTF-8
 * bytes (PBES2 takes the password as octets, unlike the PKCS#12 KDF below), AES-256-CBC.
 */
function shroudKey(privateKey: KeyObject, passcode: string, iterations: number): Buffer {
  const salt = randomBytes(saltBytes);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passcode, 'utf8'), salt, iterations, 32, 'sha256');
  const privateKeyInfo = privateKey.export({ format: 'der', type: 'pkcs8' });
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(privateKeyInfo), cipher.final()]);
  key.fill(0);
  privateKeyInfo.fill(0);
  const pbes2Params = sequence(
    // keyLength is omitted: AES-256-CBC fixes it, and RFC 8018 makes it optional.
    sequence(
      oid(oids.pbkdf2),
      sequence(octetString(salt), smallInteger(iterations), sequence(oid(oids.hmacWithSha256), derNull())),
    ),
    sequence(oid(oids.aes256Cbc), octetString(iv)),
  );
  return sequence(sequence(oid(oids.pbes2), pbes2Params), octetString(encrypted));
}

/** MacData (RFC 7292 4): HMAC-SHA-256 over the AuthenticatedSafe's bytes, keyed by the PKCS#12 KDF with ID 3. */
function macData(authenticatedSafe: Buffer, passcode: string, iterations: number): Buffer {
  const salt = randomBytes(saltBytes);
  const key = pkcs12Kdf(passcode, salt, 3, iterations, 32);
  const mac = createHmac('sha256', key).update(authenticatedSafe).digest();
  key.fill(0);
  return sequence(
    sequence(sequence(oid(oids.sha256), derNull()), octetString(mac)),
    octetString(salt),
    smallInteger(iterations),
  );
}

/** SHA-256's block size (v in RFC 7292 B.2) in bytes. */
const sha256BlockBytes = 64;

/**
 * The PKCS#12 key derivation (RFC 7292 appendix B.2) with SHA-256, for keys of up to 32 bytes —
 * one hash output, which is all the MAC needs, so steps 6B–6C that chain further blocks are not
 * implemented. The password is a BMPString with its two-byte terminator. `id` says what the key is
 * for: 1 encryption, 2 IV, 3 MAC.
 */
function pkcs12Kdf(passcode: string, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  if (length > 32) throw new RangeError('pkcs12Kdf derives at most one SHA-256 output');
  const password = Buffer.concat([utf16be(passcode), Buffer.alloc(2)]);
  // I = S || P, each repeated to fill a whole number of v-byte blocks (an empty one stays empty).
  const repeatToBlocks = (bytes: Buffer): Buffer => {
    const out = Buffer.alloc(sha256BlockBytes * Math.ceil(bytes.length / sha256BlockBytes));
    for (let i = 0; i < out.length; i += 1) out[i] = bytes[i % bytes.length] ?? 0;
    return out;
  };
  const input = Buffer.concat([repeatToBlocks(salt), repeatToBlocks(password)]);
  let block = createHash('sha256').update(Buffer.alloc(sha256BlockBytes, id)).update(input).digest();
  // crypto.hash, not createHash: this loop is most of a file's cost, and the one-shot call is twice as fast.
  for (let r = 1; r < iterations; r += 1) block = hash('sha256', block, 'buffer');
  password.fill(0);
  input.fill(0);
  return block.subarray(0, length);
}
