import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StationKeyType } from '../../../preload/contract';
import type { Recipient } from '../pki/cms-enveloped-data';
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
} from '../pki/der';
import { oids } from '../pki/oids';

/**
 * Station-made keys for a CMS job, made and sealed off the main thread: a worker generates each
 * key pair, exports the private key as PKCS#8 PEM, encrypts it under a fresh AES-256-CBC content
 * key and encrypts that key to the recipient (ephemeral-static ECDH with the X9.63 KDF and AES
 * key wrap, or RSAES-OAEP-SHA256), then wipes the clear bytes. Only the public key and the
 * encrypted pieces come back; this thread puts them into CMS EnvelopedData exactly as
 * `envelope()` in pki/cms-enveloped-data does. The private key never leaves the worker's memory.
 *
 * The worker is plain JavaScript on node:crypto alone, started from source text, so it runs the
 * same from the sources and from a bundle.
 */

export interface SealedStationKey {
  /** SubjectPublicKeyInfo, DER. */
  publicKey: Buffer;
  /** The private key as CMS EnvelopedData (DER ContentInfo) for the job's recipient. */
  sealed: Buffer;
}

export interface StationKeyPool {
  next(): Promise<SealedStationKey>;
  /** Stops the workers; keys made ahead and not taken are dropped (they were never issued). */
  close(): Promise<void>;
}

interface Made {
  spki: Uint8Array;
  iv: Uint8Array;
  encryptedContent: Uint8Array;
  /** EC: the ephemeral public point and the wrapped content key; RSA: the OAEP-encrypted content key. */
  ephemeralPoint?: Uint8Array;
  encryptedKey: Uint8Array;
}

const workerSource = `
const {
  constants,
  createCipheriv,
  createECDH,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  publicEncrypt,
  randomBytes,
} = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const { keyType, recipient } = workerData;
const keyWrapIv = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const sharedInfo = recipient.kind === 'ec' ? Buffer.from(recipient.sharedInfo) : null;
const publicPoint = recipient.kind === 'ec' ? Buffer.from(recipient.publicPoint) : null;
const rsaKey = recipient.kind === 'rsa' ? createPublicKey(recipient.publicKeyPem) : null;

// An EC key is made with ECDH's key generation and written out from fixed DER around its scalar
// and point, exactly as OpenSSL exports it (PKCS#8 with the public key, SPKI): several times
// cheaper than a KeyObject's generation and export under OpenSSL 3.
const ecForms = {
  'EC-P256': {
    curve: 'prime256v1',
    size: 32,
    pkcs8Head: Buffer.from('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420', 'hex'),
    pkcs8Middle: Buffer.from('a144034200', 'hex'),
    spkiHead: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  },
  'EC-P384': {
    curve: 'secp384r1',
    size: 48,
    pkcs8Head: Buffer.from('3081b6020100301006072a8648ce3d020106052b8104002204819e30819b0201010430', 'hex'),
    pkcs8Middle: Buffer.from('a164036200', 'hex'),
    spkiHead: Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex'),
  },
};

function pem(der) {
  const base64 = der.toString('base64');
  const lines = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return Buffer.from('-----BEGIN PRIVATE KEY-----\\n' + lines.join('\\n') + '\\n-----END PRIVATE KEY-----\\n', 'utf8');
}

/** The new key's SubjectPublicKeyInfo (DER) and its private key as PKCS#8 PEM bytes, to be wiped. */
function keyPair() {
  const form = ecForms[keyType];
  if (!form) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      spki: publicKey.export({ type: 'spki', format: 'der' }),
      clear: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'utf8'),
    };
  }
  const ecdh = createECDH(form.curve);
  const point = ecdh.generateKeys();
  const scalar = ecdh.getPrivateKey();
  const padded = Buffer.alloc(form.size);
  scalar.copy(padded, form.size - scalar.length);
  scalar.fill(0);
  const der = Buffer.concat([form.pkcs8Head, padded, form.pkcs8Middle, point]);
  padded.fill(0);
  try {
    return { spki: Buffer.concat([form.spkiHead, point]), clear: pem(der) };
  } finally {
    der.fill(0);
  }
}

function x963Kdf(hash, secret, length) {
  const blocks = [];
  const counter = Buffer.alloc(4);
  for (let i = 1, produced = 0; produced < length; i += 1) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(secret).update(counter).update(sharedInfo).digest();
    blocks.push(block);
    produced += block.length;
  }
  const kek = Buffer.concat(blocks);
  for (const block of blocks) block.fill(0);
  return kek;
}

// Each piece in a buffer of its own: a small Buffer is a view into a shared pool slab, and posting
// the view would copy the whole slab with whatever else it held.
const own = (buffer) => new Uint8Array(buffer);

function make() {
  const { spki, clear } = keyPair();
  const contentKey = randomBytes(32);
  const iv = randomBytes(16);
  try {
    const cipher = createCipheriv('aes-256-cbc', contentKey, iv);
    const encryptedContent = Buffer.concat([cipher.update(clear), cipher.final()]);
    if (recipient.kind === 'rsa') {
      const encryptedKey = publicEncrypt(
        { key: rsaKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        contentKey,
      );
      return { spki: own(spki), iv: own(iv), encryptedContent: own(encryptedContent), encryptedKey: own(encryptedKey) };
    }
    const ephemeral = createECDH(recipient.ecdhName);
    const ephemeralPoint = ephemeral.generateKeys();
    const sharedSecret = ephemeral.computeSecret(publicPoint);
    const kekFull = x963Kdf(recipient.kdfHash, sharedSecret, 32);
    sharedSecret.fill(0);
    const kek = kekFull.subarray(0, 32);
    const wrap = createCipheriv('id-aes256-wrap', kek, keyWrapIv);
    const encryptedKey = Buffer.concat([wrap.update(contentKey), wrap.final()]);
    kekFull.fill(0);
    return {
      spki: own(spki),
      iv: own(iv),
      encryptedContent: own(encryptedContent),
      ephemeralPoint: own(ephemeralPoint),
      encryptedKey: own(encryptedKey),
    };
  } finally {
    clear.fill(0);
    contentKey.fill(0);
  }
}

parentPort.on('message', (count) => {
  try {
    const made = [];
    for (let i = 0; i < count; i += 1) made.push(make());
    const buffers = made.flatMap((m) => Object.values(m).map((piece) => piece.buffer));
    parentPort.postMessage({ made }, buffers);
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
});
`;

/** What the worker needs of the recipient: no KeyObject crosses threads. */
function recipientData(recipient: Recipient) {
  if (recipient.kind === 'rsa') {
    return { kind: 'rsa', publicKeyPem: recipient.publicKey.export({ type: 'spki', format: 'pem' }) as string };
  }
  const curve = curveParameters[recipient.curve];
  return {
    kind: 'ec',
    ecdhName: curve.ecdhName,
    kdfHash: curve.kdfHash,
    publicPoint: recipient.publicPoint,
    sharedInfo: eccCmsSharedInfo,
  };
}

// The DER below is pki/cms-enveloped-data's, piece for piece (RFC 5652, RFC 5753, RFC 4055).
const curveParameters = {
  'P-256': { ecdhName: 'prime256v1', scheme: oids.dhSinglePassStdDhSha256Kdf, kdfHash: 'sha256' },
  'P-384': { ecdhName: 'secp384r1', scheme: oids.dhSinglePassStdDhSha384Kdf, kdfHash: 'sha384' },
  'P-521': { ecdhName: 'secp521r1', scheme: oids.dhSinglePassStdDhSha384Kdf, kdfHash: 'sha384' },
} as const;
const aes256WrapIdentifier = sequence(oid(oids.aes256Wrap));
const eccCmsSharedInfo = sequence(aes256WrapIdentifier, explicit(2, octetString(Buffer.from([0, 0, 1, 0]))));
const sha256Identifier = sequence(oid(oids.sha256), derNull());
const oaepSha256 = sequence(
  oid(oids.rsaesOaep),
  sequence(explicit(0, sha256Identifier), explicit(1, sequence(oid(oids.mgf1), sha256Identifier))),
);

function envelopedData(made: Made, recipient: Recipient): Buffer {
  const recipientInfo =
    recipient.kind === 'rsa'
      ? sequence(
          smallInteger(0),
          recipient.issuerAndSerialNumber,
          oaepSha256,
          octetString(Buffer.from(made.encryptedKey)),
        )
      : tlv(
          0xa1,
          Buffer.concat([
            smallInteger(3),
            explicit(
              0,
              tlv(
                0xa1,
                Buffer.concat([sequence(oid(oids.ecPublicKey)), bitString(Buffer.from(made.ephemeralPoint ?? []))]),
              ),
            ),
            sequence(oid(curveParameters[recipient.curve].scheme), aes256WrapIdentifier),
            sequence(sequence(recipient.issuerAndSerialNumber, octetString(Buffer.from(made.encryptedKey)))),
          ]),
        );
  const data = sequence(
    smallInteger(recipient.kind === 'rsa' ? 0 : 2),
    setOf(recipientInfo),
    sequence(
      oid(oids.data),
      sequence(oid(oids.aes256Cbc), octetString(Buffer.from(made.iv))),
      implicitPrimitive(0, Buffer.from(made.encryptedContent)),
    ),
  );
  return sequence(oid(oids.envelopedData), explicit(0, data));
}

/** Keys made ahead of the run, so the main thread rarely waits for one. */
const ahead = 64;

export function createStationKeyPool(keyType: StationKeyType, recipient: Recipient): StationKeyPool {
  const workerData = { keyType, recipient: recipientData(recipient) };
  // An EC key and its sealing take well under a millisecond: one thread keeps up with the CA.
  // RSA key generation takes tens of milliseconds each: then a thread per core.
  const rsa = keyType === 'RSA-2048';
  const size = rsa ? Math.max(1, availableParallelism()) : 1;
  // EC keys go in batches (fewer messages); RSA keys one at a time, each already slow to make.
  const batch = rsa ? 1 : 16;
  const workers: { worker: Worker; busy: boolean }[] = [];
  const ready: SealedStationKey[] = [];
  const waiting: { resolve: (key: SealedStationKey) => void; reject: (error: Error) => void }[] = [];
  let requested = 0;
  let failed: Error | null = null;
  let closed = false;

  const fail = (error: Error) => {
    failed ??= error;
    for (const w of waiting.splice(0)) w.reject(error);
  };

  const deliver = (key: SealedStationKey) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(key);
    else ready.push(key);
  };

  const start = () => {
    for (let i = 0; i < size; i += 1) {
      const slot = { worker: new Worker(workerSource, { eval: true, workerData }), busy: false };
      slot.worker.on('message', (message: { made?: Made[]; error?: string }) => {
        slot.busy = false;
        requested -= batch;
        if (message.error !== undefined) {
          fail(new Error(`A station key could not be made: ${message.error}`));
          return;
        }
        for (const made of message.made ?? []) {
          deliver({ publicKey: Buffer.from(made.spki), sealed: envelopedData(made, recipient) });
        }
        refill();
      });
      slot.worker.on('error', (error) => fail(error));
      slot.worker.on('exit', () => {
        if (!closed) fail(new Error('The station key worker stopped.'));
      });
      workers.push(slot);
    }
  };

  const refill = () => {
    if (closed || failed) return;
    for (const slot of workers) {
      if (slot.busy || ready.length + requested >= ahead + waiting.length) continue;
      slot.busy = true;
      requested += batch;
      slot.worker.postMessage(batch);
    }
  };

  return {
    next() {
      if (failed) return Promise.reject(failed);
      if (closed) return Promise.reject(new Error('The station key pool is closed.'));
      if (workers.length === 0) start();
      const key = ready.shift();
      refill();
      if (key) return Promise.resolve(key);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        refill();
      });
    },
    async close() {
      closed = true;
      ready.length = 0;
      fail(new Error('The station key pool is closed.'));
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
