import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { stationErrorSchema } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { ownBytes } from '../threads/own-bytes';
import { startWorker } from '../threads/start-worker';
import type { CsrCheckReply, CsrCheckRequest } from './csr-check.worker';

/**
 * Checks CSRs (readCsr: structure, key, signature) on worker threads, for validating a batch job:
 * the main thread reads the file and runs every other check meanwhile, and the import and
 * verification, most of a CSR row's cost, run beside it on the other cores.
 */
export interface CsrCheckPool {
  /** Resolves to why the CSR is refused, or undefined when readCsr() would accept it. */
  check(csr: Buffer): Promise<StationError | undefined>;
  /** Stops the threads; checks still waiting are refused. */
  close(): Promise<void>;
}

/** Requests per message: fewer, larger messages, and still a batch a thread finishes in a few ms. */
const batchSize = 32;

interface Waiting {
  resolve: (verdict: StationError | undefined) => void;
  reject: (error: Error) => void;
}

export function createCsrCheckPool(threads = Math.max(1, Math.min(4, availableParallelism()))): CsrCheckPool {
  const workers: { worker: Worker; inFlight: number }[] = [];
  const sent = new Map<number, Waiting[]>();
  let batch: { csrs: Uint8Array[]; waiting: Waiting[] } = { csrs: [], waiting: [] };
  let nextId = 1;
  let flushQueued = false;
  let failed: Error | null = null;

  const fail = (error: Error) => {
    failed ??= error;
    for (const waiting of [...sent.values(), batch.waiting]) for (const w of waiting) w.reject(failed);
    sent.clear();
    batch = { csrs: [], waiting: [] };
  };

  const onReply = (slot: { inFlight: number }, { id, verdicts }: CsrCheckReply) => {
    slot.inFlight -= 1;
    const waiting = sent.get(id) ?? [];
    sent.delete(id);
    waiting.forEach((w, i) => {
      const shape = verdicts[i];
      if (shape === null) return w.resolve(undefined);
      const parsed = stationErrorSchema.safeParse(shape);
      if (!parsed.success) return w.reject(new Error('The CSR check thread answered something unreadable.'));
      const { code, message, ...rest } = parsed.data;
      w.resolve(new StationError(code, message, rest));
    });
  };

  const start = () => {
    for (let i = 0; i < threads; i += 1) {
      const slot = { worker: startWorker(import.meta.url, 'csr-check.worker', null), inFlight: 0 };
      slot.worker.on('message', (reply: CsrCheckReply) => onReply(slot, reply));
      slot.worker.on('error', (error) => fail(error));
      slot.worker.on('exit', () => fail(new Error('The CSR check thread stopped.')));
      workers.push(slot);
    }
  };

  const flush = () => {
    flushQueued = false;
    if (batch.csrs.length === 0 || failed) return;
    if (workers.length === 0) start();
    const slot = workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const request: CsrCheckRequest = { id: nextId, csrs: batch.csrs };
    sent.set(nextId, batch.waiting);
    nextId += 1;
    slot.inFlight += 1;
    slot.worker.postMessage(request);
    batch = { csrs: [], waiting: [] };
  };

  return {
    check(csr) {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        batch.csrs.push(ownBytes(csr));
        batch.waiting.push({ resolve, reject });
        if (batch.csrs.length >= batchSize) flush();
        else if (!flushQueued) {
          // What the caller adds before it next waits goes in the same message.
          flushQueued = true;
          setImmediate(flush);
        }
      });
    },
    async close() {
      fail(new Error('The CSR check pool is closed.'));
      await Promise.all(
        workers.map(({ worker }) => {
          worker.removeAllListeners('exit');
          return worker.terminate();
        }),
      );
    },
  };
}
