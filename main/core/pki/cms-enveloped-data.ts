import { constants, createCipheriv, createHash, publicEncrypt, randomBytes } from 'node:crypto';
import { newEcdhKeyPair } from './ecdh-key-pairs';
import {
  bitString,
  derNull,
  explicit,
  implicitPrimitive,
  octetString,
  oid,
  sequence,
  setOf,
  smallInteger,
  tlv,
} from './der';
import { oids } from './oids';
import type { EcRecipient, Recipient, RsaRecipient } from './recipient';

export { checkRecipient, rebuildRecipient, type Recipient } from './recipient';

/**
 * CMS EnvelopedData (RFC 5652) for handing device private keys to one recipient: the content is
 * encrypted with a fresh AES-256-CBC key, and that key is encrypted to the recipient's certificate
 * with RSAES-OAEP (RSA) or ephemeral-static ECDH and AES key wrap (EC, RFC 5753).
 * `openssl cms -decrypt` opens what this writes.
 */

const contentKeyBytes = 32;

/** RFC 3394 2.2.3.1: the default initial value of AES key wrap. */
const keyWrapIv = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/** CMSVersion values used below (RFC 5652 6.1, 6.2.1, 6.2.2). */
const version = { zero: smallInteger(0), two: smallInteger(2), three: smallInteger(3) } as const;

/** Encrypts `plaintext` to `recipient` and returns the DER ContentInfo (id-envelopedData). */
export function envelope(plaintext: Buffer, recipient: Recipient): Buffer {
  const contentKey = randomBytes(contentKeyBytes);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', contentKey, iv);
  const encryptedContent = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const recipientInfo =
    recipient.kind === 'rsa'
      ? keyTransRecipientInfo(contentKey, recipient)
      : keyAgreeRecipientInfo(contentKey, recipient);
  contentKey.fill(0);

  // RFC 5652 6.1: version 0 when every RecipientInfo is version 0 (KeyTrans with issuerAndSerialNumber),
  // 2 when one is not (KeyAgree is always version 3) and there is no originatorInfo nor unprotectedAttrs.
  const envelopedData = sequence(
    recipient.kind === 'rsa' ? version.zero : version.two,
    setOf(recipientInfo),
    sequence(
      oid(oids.data),
      sequence(oid(oids.aes256Cbc), octetString(iv)),
      // encryptedContent [0] IMPLICIT OCTET STRING: primitive, so the whole ciphertext in one piece.
      implicitPrimitive(0, encryptedContent),
    ),
  );
  return sequence(oid(oids.envelopedData), explicit(0, envelopedData));
}

/**
 * RSAES-OAEP with SHA-256 and MGF1-SHA-256 (RFC 8017, identifiers from RFC 4055): OpenSSL 3 reads
 * these parameters in `cms -decrypt`, so there is no need to fall back to PKCS#1 v1.5, whose
 * padding oracle problems make it the worse choice for wrapping keys.
 */
function keyTransRecipientInfo(contentKey: Buffer, recipient: RsaRecipient): Buffer {
  const encryptedKey = publicEncrypt(
    { key: recipient.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    contentKey,
  );
  return sequence(version.zero, recipient.issuerAndSerialNumber, oaepSha256, octetString(encryptedKey));
}

const sha256Identifier = sequence(oid(oids.sha256), derNull());

/** pSourceAlgorithm is left at its default (an empty label), which DER omits. */
const oaepSha256 = sequence(
  oid(oids.rsaesOaep),
  sequence(explicit(0, sha256Identifier), explicit(1, sequence(oid(oids.mgf1), sha256Identifier))),
);

interface CurveParameters {
  /** Node's name for the curve. */
  ecdhName: string;
  /** The key agreement scheme, which names the KDF's hash. */
  scheme: string;
  kdfHash: 'sha256' | 'sha384';
}

/**
 * SHA-384 for the two larger curves so the KDF is not the weakest link (as in RFC 5008's Suite B
 * pairing); AES-256 key wrap everywhere because the key it wraps is AES-256.
 */
const curveParameters: Record<EcRecipient['curve'], CurveParameters> = {
  'P-256': { ecdhName: 'prime256v1', scheme: oids.dhSinglePassStdDhSha256Kdf, kdfHash: 'sha256' },
  'P-384': { ecdhName: 'secp384r1', scheme: oids.dhSinglePassStdDhSha384Kdf, kdfHash: 'sha384' },
  'P-521': { ecdhName: 'secp521r1', scheme: oids.dhSinglePassStdDhSha384Kdf, kdfHash: 'sha384' },
};

/** id-aes256-wrap takes no parameters (RFC 3565 2.3.2); this is also the SharedInfo keyInfo. */
const aes256WrapIdentifier = sequence(oid(oids.aes256Wrap));

/**
 * KeyAgreeRecipientInfo (RFC 5652 6.2.2) with ephemeral-static ECDH (RFC 5753 3.1): a fresh key
 * pair per message, its public key sent as originatorKey, no ukm.
 */
function keyAgreeRecipientInfo(contentKey: Buffer, recipient: EcRecipient): Buffer {
  const curve = curveParameters[recipient.curve];
  const { ecdh: ephemeral, publicPoint: ephemeralPoint } = newEcdhKeyPair(curve.ecdhName);
  // The x-coordinate, left-padded to the field size, as SEC1 and OpenSSL define Z.
  const sharedSecret = ephemeral.computeSecret(recipient.publicPoint);
  const kek = x963Kdf(curve.kdfHash, sharedSecret, eccCmsSharedInfo(contentKeyBytes * 8), contentKeyBytes);
  sharedSecret.fill(0);
  const wrap = createCipheriv('id-aes256-wrap', kek, keyWrapIv);
  const wrappedKey = Buffer.concat([wrap.update(contentKey), wrap.final()]);
  kek.fill(0);

  // RFC 5753 3.1.1: the ephemeral key's id-ecPublicKey parameters are absent; the curve is the recipient's.
  const originatorKey = tlv(0xa1, Buffer.concat([sequence(oid(oids.ecPublicKey)), bitString(ephemeralPoint)]));
  // RecipientInfo's kari alternative is [1] IMPLICIT: the tag replaces the SEQUENCE tag.
  return tlv(
    0xa1,
    Buffer.concat([
      version.three,
      explicit(0, originatorKey),
      sequence(oid(curve.scheme), aes256WrapIdentifier),
      sequence(sequence(recipient.issuerAndSerialNumber, octetString(wrappedKey))),
    ]),
  );
}

/**
 * ECC-CMS-SharedInfo (RFC 5753 7.2): the key wrap algorithm and the KEK's length in bits as a
 * 32-bit big-endian number; no entityUInfo because no ukm is sent.
 */
function eccCmsSharedInfo(kekBits: number): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(kekBits);
  return sequence(aes256WrapIdentifier, explicit(2, octetString(length)));
}

/** ANSI X9.63 KDF (SEC1 3.6.1): Hash(Z || counter || SharedInfo) for counter = 1, 2, … until there is enough. */
function x963Kdf(hash: 'sha256' | 'sha384', secret: Buffer, sharedInfo: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 1, produced = 0; produced < length; i += 1) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(secret).update(counter).update(sharedInfo).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}
