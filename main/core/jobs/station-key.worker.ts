// The station key pool's thread (see station-key-pool): makes station key pairs for a CMS job and
// seals each private key, as PKCS#8 PEM, in CMS EnvelopedData for the job's recipient. The clear
// private key never leaves this thread's memory and is wiped once sealed.
import { generateKeyPairSync } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { StationKeyType } from '../../../preload/contract';
import { envelope, rebuildRecipient } from '../pki/cms-enveloped-data';
import { ecKeyPairPkcs8Pem } from '../pki/ec-key-export';
import { receivedBytes } from '../threads/own-bytes';

/** What the pool hands the thread: structured-cloneable, so no KeyObject crosses threads. */
export interface StationKeyWorkerData {
  keyType: StationKeyType;
  /** The recipient certificate (DER), already accepted by `checkRecipient`. */
  recipientDer: Uint8Array;
}

/** One key, each part in an ArrayBuffer of its own (transferred, not copied). */
export interface MadeStationKey {
  /** SubjectPublicKeyInfo, DER. */
  spki: Uint8Array<ArrayBuffer>;
  /** The private key as CMS EnvelopedData (DER ContentInfo). */
  sealed: Uint8Array<ArrayBuffer>;
}

/** The answer to a request for `count` keys. */
export type StationKeyReply = { made: MadeStationKey[] } | { error: string };

const port = parentPort;
if (!port) throw new Error('the station key pool runs as a worker thread');
const { keyType, recipientDer } = workerData as StationKeyWorkerData;
const recipient = rebuildRecipient(receivedBytes(recipientDer));

/** The new key's SubjectPublicKeyInfo (DER) and its private key as PKCS#8 PEM bytes, to be wiped. */
function keyPair(): { spki: Buffer; pkcs8Pem: Buffer } {
  if (keyType === 'RSA-2048') {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      spki: publicKey.export({ type: 'spki', format: 'der' }),
      pkcs8Pem: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'utf8'),
    };
  }
  return ecKeyPairPkcs8Pem(keyType === 'EC-P384' ? 'P-384' : 'P-256');
}

// Each part copied into a buffer of its own: a small Buffer is a view into a shared pool slab, and
// transferring the slab would hand over (and detach) whatever else it held.
const own = (buffer: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);

function make(): MadeStationKey {
  const { spki, pkcs8Pem } = keyPair();
  try {
    return { spki: own(spki), sealed: own(envelope(pkcs8Pem, recipient)) };
  } finally {
    pkcs8Pem.fill(0);
  }
}

port.on('message', (count: number) => {
  try {
    const made: MadeStationKey[] = [];
    for (let i = 0; i < count; i += 1) made.push(make());
    const reply: StationKeyReply = { made };
    port.postMessage(
      reply,
      made.flatMap((key) => [key.spki.buffer, key.sealed.buffer]),
    );
  } catch (error) {
    const reply: StationKeyReply = { error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
