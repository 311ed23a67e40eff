import type { Database } from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import type { AuditRecord } from '../audit/audit-log.repo';
import { ownBytes } from '../threads/own-bytes';
import { startWorker } from '../threads/start-worker';
import { StationError } from '../errors/station-error';
import type { CertificateRow, JobRowLink, ProvisioningLink } from './certificates.repo';
import type { RecordJob, RecordOutcome } from './certificate-recorder.worker';

export interface CertificateRecorder {
  /** Resolves once the certificate and its audit entry are committed to disk, not before. */
  record(
    row: CertificateRow,
    audit: AuditRecord,
    links?: { provisioning?: ProvisioningLink; jobRow?: JobRowLink },
  ): Promise<void>;
  /** Waits for what is being written, then stops; later records are refused. */
  close(): Promise<void>;
}

interface Pending {
  job: RecordJob;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit on a thread of its own: while one group is being written and synced, the next
 * collects, so a gang of ports or a batch job pays one fsync per group instead of one per
 * certificate, and the station's main thread never waits for the disk. Each caller still waits
 * for its own row to be durable.
 */
export function createCertificateRecorder(db: Database): CertificateRecorder {
  // Started on the first certificate: a station that never issues never starts the thread. Once
  // started it stays referenced until close(), which every owner of a station calls.
  let worker: Worker | null = null;
  let queue: Pending[] = [];
  let writing: Pending[] | null = null;
  let closed = false;
  let idle: (() => void) | null = null;

  const failAll = (error: unknown) => {
    for (const p of [...(writing ?? []), ...queue]) p.reject(error);
    writing = null;
    queue = [];
    idle?.();
  };

  const onMessage = (outcomes: RecordOutcome[]) => {
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
  };

  const start = (): Worker => {
    const started = startWorker(import.meta.url, 'certificate-recorder.worker', { file: db.name });
    started.on('message', onMessage);
    started.on('error', failAll);
    started.on('exit', () => {
      // The next certificate starts a new thread; those in flight are reported as not recorded.
      worker = null;
      failAll(new StationError('INTERNAL', 'The certificate recorder stopped.', { step: 'record-certificate' }));
    });
    return started;
  };

  const send = () => {
    if (writing || queue.length === 0) return;
    writing = queue;
    queue = [];
    worker ??= start();
    worker.postMessage(writing.map((p) => p.job));
  };

  return {
    record(row, audit, links = {}) {
      if (closed) {
        return Promise.reject(new StationError('INTERNAL', 'The station is closing.', { step: 'record-certificate' }));
      }
      // Only what crosses to the thread, without the shared memory beneath it (threads/own-bytes).
      const job: RecordJob = { row: { ...row, der: ownBytes(row.der) }, audit, ...links };
      if (links.jobRow?.sealedKey) job.jobRow = { ...links.jobRow, sealedKey: ownBytes(links.jobRow.sealedKey) };
      return new Promise<void>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        send();
      });
    },
    async close() {
      closed = true;
      if (writing || queue.length > 0) await new Promise<void>((resolve) => (idle = resolve));
      const stopping = worker;
      worker = null;
      stopping?.removeAllListeners('exit');
      await stopping?.terminate();
    },
  };
}
