import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { StationKeyType } from '../../../preload/contract';
import type { Recipient } from '../pki/cms-enveloped-data';
import { ownBytes, receivedBytes } from '../threads/own-bytes';
import { startWorker } from '../threads/start-worker';
import type { StationKeyReply, StationKeyWorkerData } from './station-key.worker';

/**
 * Station-made keys for a CMS job, made and sealed off the main thread: a worker
 * (station-key.worker) generates each key pair, seals its private key (PKCS#8 PEM) with
 * `envelope()` from pki/cms-enveloped-data for the job's recipient and wipes the clear bytes.
 * Only the public key and the sealed bytes come back: the private key never leaves the worker's
 * memory.
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

/** Keys made ahead of the run, so the main thread rarely waits for one. */
const ahead = 64;

export function createStationKeyPool(keyType: StationKeyType, recipient: Recipient): StationKeyPool {
  const workerData: StationKeyWorkerData = { keyType, recipientDer: ownBytes(recipient.certificate.der) };
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
      const slot = { worker: startWorker(import.meta.url, 'station-key.worker', workerData), busy: false };
      slot.worker.on('message', (message: StationKeyReply) => {
        slot.busy = false;
        requested -= batch;
        if ('error' in message) {
          fail(new Error(`A station key could not be made: ${message.error}`));
          return;
        }
        for (const made of message.made) {
          deliver({ publicKey: receivedBytes(made.spki), sealed: receivedBytes(made.sealed) });
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
