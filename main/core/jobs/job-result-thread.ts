import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stationErrorSchema } from '../../../preload/contract';
import { StationError } from '../errors/station-error';
import { startWorker } from '../threads/start-worker';
import type { JobResultReply, JobResultWorkerData } from './job-result.worker';

/**
 * writeJobResult() on a thread of its own (job-result.worker) into a file in `workDir`, then that
 * file streamed to `out`: the station's own heap never holds the result's churn. `beforeEnd`
 * runs once the whole result is written and before its first byte leaves, so whoever has any of
 * it finds what must be on record.
 */
export async function writeJobResultOnThread(
  dbFile: string,
  jobId: string,
  out: Writable,
  options: { workDir: string; passcode?: string; beforeEnd: (rows: number) => void },
): Promise<{ rows: number }> {
  await mkdir(options.workDir, { recursive: true });
  const file = path.join(options.workDir, `result-${randomUUID()}.part`);
  try {
    const data: JobResultWorkerData = {
      dbFile,
      jobId,
      file,
      workDir: options.workDir,
      ...(options.passcode === undefined ? {} : { passcode: options.passcode }),
    };
    const { rows } = await runWorker(data);
    options.beforeEnd(rows);
    await pipeline(createReadStream(file, { highWaterMark: 256 * 1024 }), out);
    return { rows };
  } finally {
    await rm(file, { force: true });
  }
}

function runWorker(data: JobResultWorkerData): Promise<{ rows: number }> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'job-result.worker', data);
    let settled = false;
    worker.once('message', (reply: JobResultReply) => {
      settled = true;
      if ('rows' in reply) return resolve({ rows: reply.rows });
      const shape = stationErrorSchema.safeParse(reply.error);
      if (!shape.success) return reject(new Error('The result thread answered something unreadable.'));
      const { code, message, ...rest } = shape.data;
      reject(new StationError(code, message, rest));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled)
        reject(new StationError('INTERNAL', `The result thread stopped (exit ${code}).`, { step: 'job-result' }));
    });
  });
}
