import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type pkcs11js from 'pkcs11js';
import { KeyStoreError } from './key-store';
import { ckrName } from './pkcs11-errors';

type Handle = Buffer;

/**
 * The worker's whole program, run with `eval` so the same code works from the sources (tsx) and
 * from the bundle (one dist/cli.js) without a second entry point. It borrows the module the main
 * thread initialised: C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED, which is the point.
 * It never calls C_Finalize; the main thread owns the module's life.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const pkcs11js = require(workerData.pkcs11jsPath);
const p11 = new pkcs11js.PKCS11();
p11.load(workerData.modulePath);
try {
  p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
} catch (error) {
  if (error.code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
}
const session = Buffer.from(workerData.session);
parentPort.on('message', (jobs) => {
  const results = jobs.map((job) => {
    try {
      p11.C_SignInit(session, job.mechanism, Buffer.from(job.key));
      return { signature: p11.C_Sign(session, Buffer.from(job.data), Buffer.alloc(1024)) };
    } catch (error) {
      return { error: String(error && error.message), code: typeof error.code === 'number' ? error.code : null };
    }
  });
  parentPort.postMessage(results);
});
`;

interface Job {
  key: Handle;
  mechanism: pkcs11js.Mechanism;
  data: Buffer;
  resolve: (signature: Buffer) => void;
  reject: (error: Error) => void;
}

type WorkerResult = { signature: Uint8Array } | { error: string; code: number | null };

interface Signer {
  worker: Worker;
  busy: Job[] | null;
  /** A worker that failed is never given work again. */
  dead: boolean;
}

/** Jobs sent to one worker in one message: one message each would cost more than a P-256 signature. */
const maxBatch = 16;

/**
 * Signs on worker threads, one per PKCS#11 session. Measured on SoftHSM2: C_SignInit (which
 * unwraps the key) costs twice C_Sign, and pkcs11js has no asynchronous C_SignInit; on the main
 * thread it blocked the station for most of each signature and kept a second session from using
 * the second core. Here both calls run off the main thread, and requests that arrive while a
 * worker is busy go to it together in one message.
 */
export class SignWorkers {
  private readonly signers: Signer[];
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(modulePath: string, sessions: readonly Handle[]) {
    const pkcs11jsPath = createRequire(import.meta.url).resolve('pkcs11js');
    this.signers = sessions.map((session) => {
      const signer: Signer = {
        worker: new Worker(workerSource, {
          eval: true,
          workerData: { pkcs11jsPath, modulePath, session },
          // A signer keeps nothing alive between messages: V8's default young generation (tens
          // of MiB per thread) would only hold garbage.
          resourceLimits: { maxYoungGenerationSizeMb: 4 },
        }),
        busy: null,
        dead: false,
      };
      signer.worker.on('message', (results: WorkerResult[]) => this.finish(signer, results));
      signer.worker.on('error', (error) => this.fail(signer, error));
      // A worker that exits while holding jobs has failed them.
      signer.worker.on('exit', () => this.fail(signer, new Error('signing worker stopped')));
      // Idle workers must not keep a CLI command alive.
      signer.worker.unref();
      return signer;
    });
  }

  sign(key: Handle, mechanism: pkcs11js.Mechanism, data: Buffer): Promise<Buffer> {
    if (this.closed) return Promise.reject(new KeyStoreError('HSM_FAILURE', 'the key store is closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ key, mechanism, data, resolve, reject });
      this.dispatch();
    });
  }

  /** Waits for the jobs in progress, fails the queued ones, and stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new KeyStoreError('HSM_FAILURE', 'the key store is closed'));
    await Promise.all(
      this.signers.map(async (signer) => {
        while (signer.busy) await new Promise((resolve) => setImmediate(resolve));
        signer.worker.removeAllListeners('exit');
        await signer.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    if (this.signers.every((s) => s.dead)) {
      for (const job of this.queue.splice(0))
        job.reject(new KeyStoreError('HSM_FAILURE', 'no signing worker is running'));
      return;
    }
    for (const signer of this.signers) {
      if (this.queue.length === 0) return;
      if (signer.busy || signer.dead) continue;
      const batch = this.queue.splice(0, maxBatch);
      signer.busy = batch;
      signer.worker.ref();
      signer.worker.postMessage(batch.map(({ key, mechanism, data }) => ({ key, mechanism, data })));
    }
  }

  private finish(signer: Signer, results: WorkerResult[]): void {
    const batch = signer.busy ?? [];
    signer.busy = null;
    signer.worker.unref();
    batch.forEach((job, i) => {
      const result = results[i];
      if (result && 'signature' in result) job.resolve(Buffer.from(result.signature));
      else job.reject(workerError(result));
    });
    this.dispatch();
  }

  private fail(signer: Signer, error: Error): void {
    const batch = signer.busy ?? [];
    signer.busy = null;
    signer.dead = true;
    signer.worker.unref();
    for (const job of batch)
      job.reject(new KeyStoreError('HSM_FAILURE', `signing failed: ${error.message}`, { cause: error }));
    // The others take over what was waiting, or it fails if none is left.
    this.dispatch();
  }
}

/** Rebuilds the module's error so its CKR name reaches the caller's error mapping. */
function workerError(result: WorkerResult | undefined): Error {
  if (!result || !('error' in result)) return new Error('the signing worker gave no answer');
  return new Error(result.code === null ? result.error : `${ckrName(result.code)}: ${result.error}`);
}
