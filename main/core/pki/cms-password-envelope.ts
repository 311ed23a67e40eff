import { createCipheriv, createDecipheriv, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { promisify } from 'node:util';
import { decodeOid, derNull, octetString, oid, sequence, setOf, smallInteger, tags, tlv } from './der';
import { oids } from './oids';

/**
 * CMS EnvelopedData (RFC 5652) under a passcode: one PasswordRecipientInfo (RFC 5652 6.2.4) whose
 * key-encryption key comes from the passcode by PBKDF2 with HMAC-SHA256 (RFC 8018) and wraps the
 * content key with id-alg-PWRI-KEK (RFC 3211 2.3) over AES-256-CBC; the content is AES-256-CBC.
 * `openssl cms -decrypt -binary -inform DER -pwri_password PASS` opens what this writes.
 *
 * The writer streams: a batch job's result runs to hundreds of megabytes, so the message is BER
 * with indefinite lengths from the ContentInfo down to the encrypted content, which goes out as a
 * constructed OCTET STRING of definite-length pieces as the plaintext passes through. Nothing but
 * the current piece is held in memory.
 */

/**
 * PBKDF2-HMAC-SHA256 iterations written: OWASP's 2023 figure. One derivation per download (and
 * per opening) costs a fraction of a second; a guess costs the same.
 */
export const passwordEnvelopeIterations = 600_000;
/** Fewer iterations than this are refused when writing: the design floor for a result passcode. */
export const minPasswordEnvelopeIterations = 100_000;
/** Reading refuses more than this: a hostile message must not pin a CPU for minutes. */
const maxReadIterations = 10_000_000;

const saltBytes = 16;
const blockBytes = 16;
const contentKeyBytes = 32;
/** Plaintext gathered before a piece of ciphertext goes out: few headers, little memory. */
const defaultPieceBytes = 64 * 1024;

const pbkdf2Async = promisify(pbkdf2);

/** Indefinite-length header of a constructed type, and the end-of-contents octets closing it (X.690 8.1.3.6). */
const indefinite = (tag: number) => Buffer.from([tag, 0x80]);
const endOfContents = Buffer.from([0x00, 0x00]);

/** The AES-CBC ciphers a message may name, by OID, with Node's name and key size. */
const aesCbc: Record<string, { name: string; keyBytes: number }> = {
  [oids.aes128Cbc]: { name: 'aes-128-cbc', keyBytes: 16 },
  [oids.aes192Cbc]: { name: 'aes-192-cbc', keyBytes: 24 },
  [oids.aes256Cbc]: { name: 'aes-256-cbc', keyBytes: 32 },
};

/** PBKDF2 PRFs by OID, with Node's digest name. */
const prfDigests: Record<string, string> = {
  [oids.hmacWithSha1]: 'sha1',
  [oids.hmacWithSha256]: 'sha256',
  [oids.hmacWithSha384]: 'sha384',
  [oids.hmacWithSha512]: 'sha512',
};

/** CBC without padding: PWRI-KEK pads the key itself to whole blocks. */
function cbc(direction: 'encrypt' | 'decrypt', cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = direction === 'encrypt' ? createCipheriv(cipher, key, iv) : createDecipheriv(cipher, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/**
 * RFC 3211 2.3.1: the content key prefixed by its length and a check value (its first three bytes
 * inverted), padded with random bytes to whole blocks and at least two, then encrypted twice in
 * CBC mode: the second pass takes the last ciphertext block of the first as its IV, so every
 * block of the result depends on every block of the key.
 */
export function pwriKekWrap(kek: Buffer, iv: Buffer, contentKey: Buffer, cipher = 'aes-256-cbc'): Buffer {
  if (contentKey.length < 3 || contentKey.length > 0xff) throw new RangeError('content key length');
  const length = Math.max(2 * blockBytes, Math.ceil((4 + contentKey.length) / blockBytes) * blockBytes);
  const block = Buffer.concat([
    Buffer.from([
      contentKey.length,
      ~contentKey.readUInt8(0) & 0xff,
      ~contentKey.readUInt8(1) & 0xff,
      ~contentKey.readUInt8(2) & 0xff,
    ]),
    contentKey,
    randomBytes(length - 4 - contentKey.length),
  ]);
  const first = cbc('encrypt', cipher, kek, iv, block);
  block.fill(0);
  return cbc('encrypt', cipher, kek, first.subarray(-blockBytes), first);
}

/**
 * RFC 3211 2.3.2: undoes pwriKekWrap. The last block decrypted with the one before it as IV gives
 * the first pass's last block, the IV of the second pass; the check value then tells a wrong
 * passcode (and so a wrong key-encryption key) apart from a right one.
 */
export function pwriKekUnwrap(kek: Buffer, iv: Buffer, wrapped: Buffer, cipher = 'aes-256-cbc'): Buffer {
  const n = wrapped.length;
  if (n < 2 * blockBytes || n % blockBytes !== 0) throw new PasswordEnvelopeError('the wrapped key has a bad length');
  const innerIv = cbc(
    'decrypt',
    cipher,
    kek,
    wrapped.subarray(n - 2 * blockBytes, n - blockBytes),
    wrapped.subarray(n - blockBytes),
  );
  const first = cbc('decrypt', cipher, kek, innerIv, wrapped);
  const block = cbc('decrypt', cipher, kek, iv, first);
  const keyLength = block.readUInt8(0);
  const checks = [1, 2, 3].every((i) => (block.readUInt8(i) ^ block.readUInt8(i + 3)) === 0xff);
  if (!checks || keyLength < 3 || keyLength > n - 4) {
    block.fill(0);
    throw new PasswordEnvelopeError('wrong passcode');
  }
  const contentKey = Buffer.from(block.subarray(4, 4 + keyLength));
  block.fill(0);
  return contentKey;
}

export class PasswordEnvelopeError extends Error {}

/**
 * PasswordRecipientInfo (RFC 5652 6.2.4), as the RecipientInfo choice [3] IMPLICIT: version 0,
 * keyDerivationAlgorithm [0] IMPLICIT (PBKDF2, RFC 8018 A.2: salt, iterations, no keyLength
 * because the KEK cipher fixes it, PRF hmacWithSHA256 with NULL parameters),
 * keyEncryptionAlgorithm id-alg-PWRI-KEK whose parameter is the KEK cipher with its IV.
 */
function passwordRecipientInfo(salt: Buffer, iterations: number, kekIv: Buffer, encryptedKey: Buffer): Buffer {
  const pbkdf2Parameters = sequence(
    octetString(salt),
    smallInteger(iterations),
    sequence(oid(oids.hmacWithSha256), derNull()),
  );
  return tlv(
    0xa3,
    Buffer.concat([
      smallInteger(0),
      tlv(0xa0, Buffer.concat([oid(oids.pbkdf2), pbkdf2Parameters])),
      sequence(oid(oids.pwriKek), sequence(oid(oids.aes256Cbc), octetString(kekIv))),
      octetString(encryptedKey),
    ]),
  );
}

export interface PasswordEnvelopeOptions {
  /** PBKDF2 iterations; at least minPasswordEnvelopeIterations. */
  iterations?: number;
  /** Plaintext bytes per encrypted piece (tests make it small to see many pieces). */
  pieceBytes?: number;
}

/**
 * A Transform that takes the plaintext and gives out the whole BER ContentInfo. The key is
 * derived here, off the event loop, before the first byte: PBKDF2 at this count takes a while.
 * The passcode is used as its UTF-8 bytes, as openssl takes it from its command line.
 */
export async function createPasswordEnvelopeStream(
  passcode: string,
  options: PasswordEnvelopeOptions = {},
): Promise<Transform> {
  const iterations = options.iterations ?? passwordEnvelopeIterations;
  if (!Number.isInteger(iterations) || iterations < minPasswordEnvelopeIterations) {
    throw new RangeError(`PBKDF2 needs at least ${minPasswordEnvelopeIterations} iterations`);
  }
  if (passcode === '') throw new RangeError('an empty passcode protects nothing');
  const pieceBytes = options.pieceBytes ?? defaultPieceBytes;
  const salt = randomBytes(saltBytes);
  const secret = Buffer.from(passcode, 'utf8');
  const kek = await pbkdf2Async(secret, salt, iterations, contentKeyBytes, 'sha256');
  secret.fill(0);
  const contentKey = randomBytes(contentKeyBytes);
  const kekIv = randomBytes(blockBytes);
  const contentIv = randomBytes(blockBytes);
  const encryptedKey = pwriKekWrap(kek, kekIv, contentKey);
  kek.fill(0);
  // The cipher holds its own copy of the key from here on.
  const cipher = createCipheriv('aes-256-cbc', contentKey, contentIv);
  contentKey.fill(0);

  // RFC 5652 6.1: version 3 because a RecipientInfo is a pwri. The SET of one RecipientInfo is
  // small and known, so it is definite; only what wraps the content has to be indefinite.
  const head = Buffer.concat([
    indefinite(tags.sequence), // ContentInfo
    oid(oids.envelopedData),
    indefinite(0xa0), // content [0] EXPLICIT
    indefinite(tags.sequence), // EnvelopedData
    smallInteger(3),
    setOf(passwordRecipientInfo(salt, iterations, kekIv, encryptedKey)),
    indefinite(tags.sequence), // EncryptedContentInfo
    oid(oids.data),
    sequence(oid(oids.aes256Cbc), octetString(contentIv)),
    // encryptedContent [0] IMPLICIT OCTET STRING, constructed: pieces of universal OCTET STRINGs.
    indefinite(0xa0),
  ]);
  // encryptedContent, EncryptedContentInfo, EnvelopedData, [0] and ContentInfo each end here.
  const tail = Buffer.concat(Array.from({ length: 5 }, () => endOfContents));

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const takePending = () => {
    const plaintext = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    return cipher.update(plaintext);
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= pieceBytes) {
        const piece = takePending();
        if (piece.length > 0) this.push(octetString(piece));
      }
      done();
    },
    flush(done) {
      try {
        this.push(octetString(Buffer.concat([takePending(), cipher.final()])));
        this.push(tail);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  stream.push(head);
  return stream;
}

// Reading: the whole message in memory. It serves the tests (against openssl's own messages) and
// small messages; the station itself only writes these.

interface BerNode {
  tag: number;
  /** Primitive content, or the span of a constructed node's children. */
  content: Buffer;
  /** Where the encoding ends, in the buffer it was read from. */
  end: number;
}

/** One BER TLV: definite or (for constructed types) indefinite length. */
function readBer(buffer: Buffer, offset: number, depth = 0): BerNode {
  if (depth > 64) throw new PasswordEnvelopeError('nested too deeply');
  const tag = buffer[offset];
  const first = buffer[offset + 1];
  if (tag === undefined || first === undefined) throw new PasswordEnvelopeError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new PasswordEnvelopeError('multi-byte tags are not supported');
  if (first === 0x80) {
    if (!(tag & 0x20)) throw new PasswordEnvelopeError('indefinite length on a primitive type');
    let at = offset + 2;
    while (!(buffer[at] === 0 && buffer[at + 1] === 0)) {
      if (at >= buffer.length) throw new PasswordEnvelopeError('missing end-of-contents');
      at = readBer(buffer, at, depth + 1).end;
    }
    return { tag, content: buffer.subarray(offset + 2, at), end: at + 2 };
  }
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 6) throw new PasswordEnvelopeError('oversized length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (buffer[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new PasswordEnvelopeError('truncated content');
  return { tag, content: buffer.subarray(offset + header, end), end };
}

function berChildren(node: BerNode): BerNode[] {
  const out: BerNode[] = [];
  for (let at = 0; at < node.content.length;) {
    const child = readBer(node.content, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** A string type's bytes, primitive or constructed from pieces. */
function berOctets(node: BerNode): Buffer {
  return node.tag & 0x20 ? Buffer.concat(berChildren(node).map(berOctets)) : node.content;
}

function expect(node: BerNode | undefined, tag: number, what: string): BerNode {
  if (!node || node.tag !== tag) throw new PasswordEnvelopeError(`${what}: expected tag 0x${tag.toString(16)}`);
  return node;
}

function berInteger(node: BerNode | undefined, what: string): number {
  const n = expect(node, tags.integer, what);
  if (n.content.length === 0 || n.content.length > 6 || (n.content.readUInt8(0) & 0x80) !== 0) {
    throw new PasswordEnvelopeError(`${what}: out of range`);
  }
  return n.content.reduce((value, byte) => value * 256 + byte, 0);
}

const oidOf = (node: BerNode | undefined, what: string) => decodeOid(expect(node, tags.oid, what).content);

function cipherOf(algorithm: BerNode, what: string): { name: string; keyBytes: number; iv: Buffer } {
  const [id, parameters] = berChildren(expect(algorithm, tags.sequence, what));
  const cipher = aesCbc[oidOf(id, what)];
  if (!cipher) throw new PasswordEnvelopeError(`${what}: not AES-CBC`);
  const iv = berOctets(expect(parameters, tags.octetString, `${what} IV`));
  if (iv.length !== blockBytes) throw new PasswordEnvelopeError(`${what}: bad IV`);
  return { ...cipher, iv };
}

/** The content key from a PasswordRecipientInfo's content, or PasswordEnvelopeError. */
function contentKeyFrom(pwri: BerNode, passcode: string): Buffer {
  const [version, derivation, keyEncryption, encryptedKey] = berChildren(pwri);
  if (berInteger(version, 'pwri version') !== 0) throw new PasswordEnvelopeError('pwri version');
  const [kdf, kdfParameters] = berChildren(expect(derivation, 0xa0, 'keyDerivationAlgorithm'));
  if (oidOf(kdf, 'keyDerivationAlgorithm') !== oids.pbkdf2) throw new PasswordEnvelopeError('not PBKDF2');
  const fields = berChildren(expect(kdfParameters, tags.sequence, 'PBKDF2 parameters'));
  const salt = berOctets(expect(fields[0], tags.octetString, 'PBKDF2 salt'));
  const iterations = berInteger(fields[1], 'PBKDF2 iterations');
  if (iterations < 1 || iterations > maxReadIterations) throw new PasswordEnvelopeError('PBKDF2 iterations');
  let next = 2;
  if (fields[next]?.tag === tags.integer) next += 1; // keyLength: the KEK cipher decides.
  const prf = fields[next]
    ? oidOf(berChildren(expect(fields[next], tags.sequence, 'PBKDF2 PRF'))[0], 'PRF')
    : oids.hmacWithSha1;
  const digest = prfDigests[prf];
  if (!digest) throw new PasswordEnvelopeError(`PBKDF2 PRF ${prf} is not supported`);
  const [wrapId, wrapCipher] = berChildren(expect(keyEncryption, tags.sequence, 'keyEncryptionAlgorithm'));
  if (oidOf(wrapId, 'keyEncryptionAlgorithm') !== oids.pwriKek) throw new PasswordEnvelopeError('not PWRI-KEK');
  const kekCipher = cipherOf(expect(wrapCipher, tags.sequence, 'PWRI-KEK cipher'), 'PWRI-KEK cipher');
  const kek = pbkdf2Sync(Buffer.from(passcode, 'utf8'), salt, iterations, kekCipher.keyBytes, digest);
  try {
    return pwriKekUnwrap(
      kek,
      kekCipher.iv,
      berOctets(expect(encryptedKey, tags.octetString, 'encryptedKey')),
      kekCipher.name,
    );
  } finally {
    kek.fill(0);
  }
}

/**
 * Opens a password-enveloped ContentInfo (BER or DER, ours or openssl's) and returns the content.
 * Throws PasswordEnvelopeError for a wrong passcode or a message it does not read.
 */
export function openPasswordEnvelope(message: Buffer, passcode: string): Buffer {
  const contentInfo = readBer(message, 0);
  const [type, explicitContent] = berChildren(expect(contentInfo, tags.sequence, 'ContentInfo'));
  if (oidOf(type, 'contentType') !== oids.envelopedData) throw new PasswordEnvelopeError('not EnvelopedData');
  const [envelopedData] = berChildren(expect(explicitContent, 0xa0, 'content'));
  const parts = berChildren(expect(envelopedData, tags.sequence, 'EnvelopedData'));
  // Skips version and an originatorInfo [0] if present.
  const recipientInfos = parts.find((p) => p.tag === tags.set);
  const encryptedContentInfo = parts.find((p, i) => i > 0 && p.tag === tags.sequence);
  const pwris = berChildren(expect(recipientInfos, tags.set, 'recipientInfos')).filter((r) => r.tag === 0xa3);
  if (pwris.length === 0) throw new PasswordEnvelopeError('no PasswordRecipientInfo');
  let contentKey: Buffer | undefined;
  for (const pwri of pwris) {
    try {
      contentKey = contentKeyFrom(pwri, passcode);
      break;
    } catch (error) {
      if (!(error instanceof PasswordEnvelopeError) || pwri === pwris.at(-1)) throw error;
    }
  }
  const [, algorithm, encrypted] = berChildren(expect(encryptedContentInfo, tags.sequence, 'EncryptedContentInfo'));
  const content = cipherOf(expect(algorithm, tags.sequence, 'contentEncryptionAlgorithm'), 'content cipher');
  if (!contentKey || contentKey.length !== content.keyBytes) throw new PasswordEnvelopeError('content key size');
  if (!encrypted || (encrypted.tag !== 0x80 && encrypted.tag !== 0xa0)) {
    throw new PasswordEnvelopeError('no encryptedContent');
  }
  const decipher = createDecipheriv(content.name, contentKey, content.iv);
  contentKey.fill(0);
  try {
    return Buffer.concat([decipher.update(berOctets(encrypted)), decipher.final()]);
  } catch {
    throw new PasswordEnvelopeError('the content does not decrypt');
  }
}
