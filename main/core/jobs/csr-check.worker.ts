// The CSR check pool's thread (see csr-check-pool): reads each request of a batch, imports its key
// and verifies its signature, all on this thread. Verifying here rather than on libuv's pool keeps
// OpenSSL to one thread per core: OpenSSL 3.0's shared locks make more threads slower, not faster.
import { parentPort } from 'node:worker_threads';
import type { StationErrorShape } from '../../../preload/contract';
import { isStationError } from '../errors/station-error';
import { readCsrOnThisThread } from '../pki/csr';
import { receivedBytes } from '../threads/own-bytes';

/** A batch of requests (PEM or DER bytes), answered in one reply with the same id. */
export interface CsrCheckRequest {
  id: number;
  csrs: Uint8Array[];
}

/** Per request: null when it reads and its signature verifies, else why not. */
export interface CsrCheckReply {
  id: number;
  verdicts: (StationErrorShape | null)[];
}

const port = parentPort;
if (!port) throw new Error('the CSR check pool runs as a worker thread');

async function verdict(csr: Uint8Array): Promise<StationErrorShape | null> {
  try {
    await readCsrOnThisThread(receivedBytes(csr));
    return null;
  } catch (error) {
    if (isStationError(error)) return error.toShape();
    return { code: 'CSR_INVALID', message: `The CSR could not be read (${String(error)}).`, step: 'read-csr' };
  }
}

// Messages are handled one at a time: a batch's checks finish before the next batch starts.
let previous: Promise<void> = Promise.resolve();
port.on('message', ({ id, csrs }: CsrCheckRequest) => {
  previous = previous
    .then(async () => {
      const verdicts: (StationErrorShape | null)[] = [];
      for (const csr of csrs) verdicts.push(await verdict(csr));
      const reply: CsrCheckReply = { id, verdicts };
      port.postMessage(reply);
    })
    // Whatever escapes is thrown where it stops this thread, so that the pool sees it fail
    // instead of waiting for a reply; the chain itself stays usable.
    .catch((error: unknown) => {
      setImmediate(() => {
        throw error;
      });
    });
});
