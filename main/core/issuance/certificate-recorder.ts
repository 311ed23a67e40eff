import type { Database } from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditRecord } from '../audit/audit-log.repo';
import { StationError } from '../errors/station-error';
import type { CertificateRow } from './certificates.repo';
import type { RecordJob, RecordOutcome } from './certificate-recorder.worker';

export interface CertificateRecorder {
  /** Resolves once the certificate and its audit entry are committed to disk, not before. */
  record(row: CertificateRow, audit: AuditRecord): Promise<void>;
  /** Waits for what is being written, then stops; later records are refused. */
  close(): Promise<void>;
}

interface Pending {
  job: RecordJob;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The worker's file is beside the bundle once built, or beside this module in the sources. */
function startWorker(file: string): Worker {
  const workerData = { file };
  const source = new URL('./certificate-recorder.worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(source))) {
    return new Worker(new URL('./certificate-recorder.worker.js', import.meta.url), { workerData });
  }
  // From the sources (tests, tsx) the worker must load TypeScript too: Node 20 does not hand the
  // parent's --import hooks to a worker's entry module, so the worker registers tsx itself.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Group commit on a thread of its own: while one group is being written and synced, the next
 * collects, so a gang of ports or a batch job pays one fsync per group instead of one per
 * certificate, and the station's main thread never waits for the disk. Each caller still waits
 * for its own row to be durable.
 */
export function createCertificateRecorder(db: Database): CertificateRecorder {
  // Kept referenced: a station that was opened must be closed (close() stops the thread).
  const worker = startWorker(db.name);
  let queue: Pending[] = [];
  let writing: Pending[] | null = null;
  let closed = false;
  let idle: (() => void) | null = null;

  const send = () => {
    if (writing || queue.length === 0) return;
    writing = queue;
    queue = [];
    worker.postMessage(writing.map((p) => p.job));
  };

  const failAll = (error: unknown) => {
    for (const p of [...(writing ?? []), ...queue]) p.reject(error);
    writing = null;
    queue = [];
    idle?.();
  };

  worker.on('message', (outcomes: RecordOutcome[]) => {
    const done = writing ?? [];
    writing = null;
    done.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome === null || outcome === undefined) p.resolve();
      else
        p.reject(
          new StationError('INTERNAL', `The certificate was signed but not recorded: ${outcome}`, {
            step: 'record-certificate',
          }),
        );
    });
    send();
    if (!writing && idle) idle();
  });
  worker.on('error', failAll);
  worker.on('exit', () =>
    failAll(new StationError('INTERNAL', 'The certificate recorder stopped.', { step: 'record-certificate' })),
  );

  return {
    record(row, audit) {
      if (closed) {
        return Promise.reject(new StationError('INTERNAL', 'The station is closing.', { step: 'record-certificate' }));
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ job: { row, audit }, resolve, reject });
        send();
      });
    },
    async close() {
      closed = true;
      if (writing || queue.length > 0) await new Promise<void>((resolve) => (idle = resolve));
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
