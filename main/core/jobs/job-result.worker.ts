// The job result's thread (see job-result-thread): writes a job's result — the ZIP, or the ZIP in
// CMS under a passcode — to a file, reading the job's rows on a connection of its own. A result
// of a hundred thousand rows churns through a few hundred MB of short-lived buffers; here that
// churn lives and dies in this thread's small heap instead of growing the station's.
import { createWriteStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { StationErrorShape } from '../../../preload/contract';
import { isStationError } from '../errors/station-error';
import { openDatabaseFile } from '../store/database';
import { writeJobResult } from './job-result';
import { getStoredJob } from './jobs.repo';

export interface JobResultWorkerData {
  /** The station database file. */
  dbFile: string;
  jobId: string;
  /** Where the result goes (created here, never existing before). */
  file: string;
  /** For the listings spooled while the rows are read. */
  workDir: string;
  passcode?: string;
}

export type JobResultReply = { rows: number } | { error: StationErrorShape };

const port = parentPort;
if (!port) throw new Error('the job result writer runs as a worker thread');
const { dbFile, jobId, file, workDir, passcode } = workerData as JobResultWorkerData;

async function write(): Promise<JobResultReply> {
  const db = openDatabaseFile(dbFile);
  try {
    const job = getStoredJob(db, jobId, 'job-result');
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    return await writeJobResult(db, job, out, { workDir, ...(passcode === undefined ? {} : { passcode }) });
  } finally {
    db.close();
  }
}

write().then(
  (reply) => port.postMessage(reply),
  (error: unknown) => {
    const shape: StationErrorShape = isStationError(error)
      ? error.toShape()
      : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), step: 'job-result' };
    port.postMessage({ error: shape } satisfies JobResultReply);
  },
);
