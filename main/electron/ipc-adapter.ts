import { Readable, Writable } from 'node:stream';
import { ipcChannels, type Result, type StationErrorShape } from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import { assertAllowed, type Dispatch } from '../core/api/dispatcher';
import { isStationError } from '../core/errors/station-error';
import { resultFileName } from '../core/jobs/job-result';

/**
 * The slice of Electron's ipcMain and event objects the adapter uses. Typed structurally so the
 * adapter runs (and is tested) in plain Node with a fake ipcMain.
 */
export interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The batch job files the window moves over IPC (the station's JobService fits). */
export interface IpcJobFiles {
  stageStream(body: Readable, maxBytes: number): Promise<string>;
  writeResult(
    id: string,
    out: Writable,
    ctx: CallContext,
    begin?: () => void,
    options?: { passcode?: string | undefined },
  ): Promise<unknown>;
}

export interface IpcAdapterOptions {
  dispatch: Dispatch;
  /** Who the call is from: the session the renderer signed in with, if any. */
  context: (session: string | null) => CallContext;
  /** Whether a frame URL is our own renderer (file:// of the packaged index.html). */
  isTrustedUrl: (url: string) => boolean;
  /** Batch job uploads and results; without it those channels are not registered. */
  jobs?: IpcJobFiles;
}

/** As large as the loopback bridge takes: a 100,000-row CSV with CSRs is about 100 MB. */
export const maxIpcUploadBytes = 1024 * 1024 * 1024;

const jobIdPattern = /^[0-9a-f-]{36}$/;

function refused(error: StationErrorShape): Result<never> {
  return { ok: false, error };
}

/**
 * One channel carries every call; the dispatcher decides whether the name exists. Like
 * VS Code's main-process IPC, a message from anything but our own top-level page is refused
 * before it reaches the core. Batch job files have a channel each, checked for jobs.run here as
 * the dispatcher checks calls.
 */
export function registerIpcAdapter(ipcMain: IpcMainLike, options: IpcAdapterOptions): () => void {
  const trusted = (event: IpcEventLike) => {
    const frame = event.senderFrame;
    return frame !== null && frame.parent === null && options.isTrustedUrl(frame.url);
  };
  const foreign = refused({ code: 'FORBIDDEN_ORIGIN', message: 'Calls are accepted only from the station window.' });
  const sessionOf = (session: unknown) => (typeof session === 'string' ? session : null);

  /** Runs a job file transfer for a caller holding jobs.run; a StationError becomes its refusal. */
  const withJobs = async <T>(
    session: unknown,
    what: string,
    work: (jobs: IpcJobFiles, ctx: CallContext) => Promise<T>,
  ): Promise<Result<T>> => {
    try {
      const ctx = options.context(sessionOf(session));
      assertAllowed(ctx, 'jobs.run', what);
      if (!options.jobs) throw new Error('batch job files are not wired');
      return { ok: true, value: await work(options.jobs, ctx) };
    } catch (error) {
      if (isStationError(error)) return refused(error.toShape());
      console.error(`${what} failed`, error);
      return refused({ code: 'INTERNAL', message: 'Unexpected station error.' });
    }
  };

  ipcMain.handle(ipcChannels.call, async (event, name, input, session) => {
    if (!trusted(event)) return foreign;
    return options.dispatch(name, input, options.context(sessionOf(session)));
  });
  const channels: string[] = [ipcChannels.call];

  if (options.jobs) {
    ipcMain.handle(ipcChannels.upload, async (event, bytes, session) => {
      if (!trusted(event)) return foreign;
      if (!(bytes instanceof Uint8Array)) {
        return refused({ code: 'INVALID_INPUT', message: 'An upload carries the file as bytes.' });
      }
      // A Buffer (not a bare Uint8Array) so Readable.from passes it on whole rather than byte by byte.
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return withJobs(session, 'jobs.upload', async (jobs) => ({
        uploadId: await jobs.stageStream(Readable.from(body), maxIpcUploadBytes),
      }));
    });
    ipcMain.handle(ipcChannels.jobResult, async (event, jobId, session, passcode) => {
      if (!trusted(event)) return foreign;
      if (typeof jobId !== 'string' || !jobIdPattern.test(jobId)) {
        return refused({ code: 'INVALID_INPUT', message: 'A job result is asked for by the job id.' });
      }
      if (passcode !== undefined && typeof passcode !== 'string') {
        return refused({ code: 'INVALID_INPUT', message: 'A result passcode is text.' });
      }
      return withJobs(session, 'jobs.result', async (jobs, ctx) => {
        const chunks: Buffer[] = [];
        const sink = new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
        });
        // The job service checks the passcode's length and never keeps it.
        await jobs.writeResult(jobId, sink, ctx, undefined, passcode === undefined ? {} : { passcode });
        return {
          fileName: resultFileName(jobId, passcode !== undefined),
          bytes: new Uint8Array(Buffer.concat(chunks)),
        };
      });
    });
    channels.push(ipcChannels.upload, ipcChannels.jobResult);
  }

  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/**
 * Whether a frame's URL is the packaged index.html itself: same file, any fragment, no query.
 * Other file:// pages, http(s) pages and look-alike paths are refused.
 */
export function isAppPageUrl(url: string, indexUrl: string): boolean {
  return url.split('#')[0] === indexUrl;
}
