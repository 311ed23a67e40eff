import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type CallParsedInput,
  issuesFromZod,
  type Job,
  type JobOptions,
  resultPasscodeBounds,
  resultPasscodeSchema,
} from '../../../preload/contract';
import { recordAuditEvent } from '../audit/audit-log.repo';
import { caChain, getCaRow } from '../ca/cas.repo';
import { isStationError, StationError } from '../errors/station-error';
import type { EventHub } from '../events/event-hub';
import { getDeviceGroup } from '../inventory/device-groups.repo';
import type { MutationContext } from '../inventory/mutation-context';
import type { IssuanceEngine } from '../issuance/issuance-engine';
import { getPolicy } from '../policies/policies.repo';
import { statement } from '../store/statements';
import { writeTransaction } from '../store/write-transaction';
import { templateColumns } from './job-columns';
import { writeJobResult } from './job-result';
import { runJobRows } from './job-runner';
import { validateJobInput } from './job-validation';
import {
  getStoredJob,
  insertJob,
  jobCounts,
  jobRowsPage,
  listStoredJobs,
  moveRows,
  setJobState,
  type StoredJob,
} from './jobs.repo';
import { createKeySealer, jobRecipient } from './key-sealer';

export interface JobService {
  /** Copies a local file into the station's upload area (the CLI); returns its upload ID. */
  stageFile(file: string): Promise<string>;
  /** Streams an upload (the bridge) into the upload area, refusing it past `maxBytes`. */
  stageStream(body: Readable, maxBytes: number): Promise<string>;
  template(input: CallParsedInput<'jobs.template'>): { filename: string; csv: string };
  create(input: CallParsedInput<'jobs.create'>, ctx: MutationContext): Promise<Job>;
  start(input: CallParsedInput<'jobs.start'>, ctx: MutationContext): Job;
  cancel(id: string, ctx: MutationContext): Job;
  get(id: string): Job;
  list(): Job[];
  problems(
    input: CallParsedInput<'jobs.problems'>,
  ): { line: number; name: string; status: 'invalid' | 'failed'; code: string; message: string }[];
  /** Resolves when the job is no longer validating or running. */
  settled(id: string): Promise<Job>;
  /**
   * `begin` runs once the job is known, just before the first byte (a transport's headers); it
   * learns whether the result is encrypted, so a transport whose wiring lost the passcode on the
   * way can refuse instead of sending the ZIP in clear. With a passcode (8–128 characters, else
   * INVALID_INPUT before `begin`) the result is CMS EnvelopedData under it around the ZIP; the
   * passcode is neither kept nor logged.
   */
  writeResult(
    id: string,
    out: Writable,
    ctx: MutationContext,
    begin?: (result: { encrypted: boolean }) => void,
    options?: { passcode?: string | undefined },
  ): Promise<{ rows: number }>;
  close(): Promise<void>;
}

interface Progress {
  samples: { time: number; done: number }[];
  done: number;
  lastEmit: number;
}

type Counts = Job['counts'];

const emptyCounts = (): Counts => ({
  total: 0,
  invalid: 0,
  pending: 0,
  done: 0,
  failed: 0,
  skipped: 0,
  cancelled: 0,
});

const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** A running job's process touches its heartbeat three times per lease; an older one is a stuck process's. */
const DEFAULT_LEASE_MS = 15_000;

/** Signal 0 only asks whether the process exists (EPERM: it does, under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createJobService(deps: {
  db: Database;
  dataDir: string;
  hub: EventHub;
  engine: IssuanceEngine;
  /** How old a running job's heartbeat may be before another process takes it for interrupted. */
  leaseMs?: number;
}): JobService {
  const { db, hub, engine } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const jobsDir = path.join(deps.dataDir, 'jobs');
  const uploadsDir = path.join(jobsDir, 'uploads');
  const work = new Map<string, { promise: Promise<void>; stop: boolean }>();
  const progress = new Map<string, Progress>();
  /**
   * The counts of a job being validated or run, kept as its rows are stored or finish: a
   * progress event then costs no GROUP BY over the job's rows. Only this process writes a job's
   * rows while it validates or runs it; once it settles the counts are read from the rows again.
   */
  const liveCounts = new Map<string, Counts>();
  const waiters = new Map<string, (() => void)[]>();
  const cancelled = new Set<string>();

  /** Whether the process that last touched a job still runs it: its PID is alive and its heartbeat fresh. */
  const runsElsewhere = (id: string): boolean => {
    const row = statement(db, 'SELECT heartbeat_at, runner_pid FROM jobs WHERE id = ?').get(id) as
      { heartbeat_at: string | null; runner_pid: number | null } | undefined;
    if (!row?.heartbeat_at || row.runner_pid === null) return false;
    return row.heartbeat_at >= new Date(Date.now() - leaseMs).toISOString() && processAlive(row.runner_pid);
  };

  // A job that was running or validating when its process stopped cannot still be either. One
  // that another live process runs (serve, while this is a CLI command) is left alone.
  for (const { id, state } of statement(
    db,
    "SELECT id, state FROM jobs WHERE state IN ('running', 'validating')",
  ).all() as Array<{ id: string; state: string }>) {
    if (runsElsewhere(id)) continue;
    if (state === 'running') statement(db, "UPDATE jobs SET state = 'interrupted' WHERE id = ?").run(id);
    else
      statement(
        db,
        `UPDATE jobs SET state = 'rejected', problem = '{"code":"JOB_INPUT_INVALID","message":"Validation was interrupted; create the job again."}'
         WHERE id = ?`,
      ).run(id);
  }

  const touch = (id: string) =>
    statement(db, 'UPDATE jobs SET heartbeat_at = ?, runner_pid = ? WHERE id = ?').run(
      new Date().toISOString(),
      process.pid,
      id,
    );
  /** Whether another process asked for this job to be cancelled (jobs.cancel there while it runs here). */
  const cancelRequested = (id: string) =>
    (
      statement(db, 'SELECT cancel_requested_at FROM jobs WHERE id = ?').get(id) as
        { cancel_requested_at: string | null } | undefined
    )?.cancel_requested_at != null;
  /** Jobs this process runs (not validates): only these take a cancel from elsewhere. */
  const running = new Set<string>();
  const heartbeat = setInterval(
    () => {
      for (const [id, entry] of work) {
        try {
          touch(id);
          if (!entry.stop && running.has(id) && cancelRequested(id)) {
            cancelled.add(id);
            entry.stop = true;
          }
        } catch (error) {
          // A busy store costs one beat; the lease is three beats long.
          console.error(`batch job ${id}: heartbeat failed`, error);
        }
      }
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();

  const toJob = (stored: StoredJob): Job => {
    const live = liveCounts.get(stored.id);
    const counts = live ? { ...live } : jobCounts(db, stored.id);
    const p = progress.get(stored.id);
    let rate: number | null = null;
    let etaSeconds: number | null = null;
    if (p && stored.state === 'running' && p.samples.length > 1) {
      const first = p.samples[0] as { time: number; done: number };
      const last = p.samples.at(-1) as { time: number; done: number };
      const seconds = (last.time - first.time) / 1000;
      rate = seconds > 0 ? (last.done - first.done) / seconds : null;
      etaSeconds = rate ? counts.pending / rate : null;
    }
    return {
      id: stored.id,
      kind: stored.kind,
      state: stored.state,
      inputName: stored.inputName,
      groupId: stored.options.groupId ?? null,
      policyId: stored.options.policyId ?? null,
      keySource: stored.options.keySource ?? null,
      delivery: stored.options.delivery ?? null,
      counts,
      rate,
      etaSeconds,
      problem: stored.problem,
      createdBy: stored.createdBy,
      createdAt: stored.createdAt,
      startedAt: stored.startedAt,
      finishedAt: stored.finishedAt,
    };
  };
  const get = (id: string) => toJob(getStoredJob(db, id, 'get-job'));
  const emit = (id: string) => hub.emit('jobs.changed', get(id));

  const settle = (id: string) => {
    work.delete(id);
    emit(id);
    for (const wake of waiters.get(id) ?? []) wake();
    waiters.delete(id);
  };

  /** Checks what the options name before anything is read: the group, the policy, the recipient. */
  const checkOptions = (options: JobOptions, step: string) => {
    if (options.groupId !== undefined) getDeviceGroup(db, options.groupId, step);
    if (options.policyId !== undefined) getPolicy(db, options.policyId, step);
    if (options.keySource === 'station' && options.delivery === 'cms') jobRecipient(options);
  };

  const track = (id: string, done: number) => {
    const now = Date.now();
    const p = progress.get(id) ?? { samples: [], done: 0, lastEmit: 0 };
    p.done = done;
    // One sample per 100 ms at most (the newest is moved forward in between): a window of every
    // row's sample held tens of thousands, and trimming it cost more than issuing a row.
    const newest = p.samples.at(-1);
    const previous = p.samples.at(-2);
    if (newest && previous && now - previous.time < 100) {
      newest.time = now;
      newest.done = done;
    } else {
      p.samples.push({ time: now, done });
    }
    // The rate is over the last ten seconds: steady enough to read, fresh enough to trust.
    while (p.samples.length > 2 && (p.samples[0]?.time ?? now) < now - 10_000) p.samples.shift();
    progress.set(id, p);
    if (now - p.lastEmit >= 250) {
      p.lastEmit = now;
      emit(id);
    }
  };

  const chainFor = (options: JobOptions): Buffer[] => {
    if (options.policyId === undefined) return [];
    const policy = getPolicy(db, options.policyId, 'start-job');
    return caChain(getCaRow(db, policy.issuingCaId, 'start-job')).map((c) => c.der);
  };

  return {
    async stageFile(file) {
      await mkdir(uploadsDir, { recursive: true });
      const id = randomUUID();
      try {
        await copyFile(file, path.join(uploadsDir, id));
      } catch (error) {
        throw new StationError('UPLOAD_NOT_FOUND', `Cannot read ${file}: ${(error as Error).message}`, {
          step: 'stage-input',
        });
      }
      return id;
    },

    async stageStream(body, maxBytes) {
      await mkdir(uploadsDir, { recursive: true });
      const id = randomUUID();
      const file = path.join(uploadsDir, id);
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(size > maxBytes ? new Error('too large') : null, chunk);
        },
      });
      try {
        await pipeline(body, limit, createWriteStream(file));
      } catch (error) {
        await rm(file, { force: true });
        throw new StationError(
          'JOB_INPUT_INVALID',
          size > maxBytes
            ? `The upload is larger than ${maxBytes} bytes; split the job.`
            : `The upload did not complete: ${(error as Error).message}`,
          { step: 'upload' },
        );
      }
      return id;
    },

    template(input) {
      const policy = input.policyId === undefined ? null : getPolicy(db, input.policyId, 'job-template');
      const columns = templateColumns(input.kind, input.keySource, policy);
      return { filename: `trustline-${input.kind}-template.csv`, csv: `${columns.join(',')}\r\n` };
    },

    async create(input, ctx) {
      const step = 'create-job';
      checkOptions(input.options, step);
      const upload = path.join(uploadsDir, input.uploadId);
      const head = Buffer.alloc(4);
      try {
        const handle = await open(upload, 'r');
        await handle.read(head, 0, 4, 0).finally(() => handle.close());
      } catch {
        throw new StationError(
          'UPLOAD_NOT_FOUND',
          'The uploaded file is not on the station any more. Upload it again.',
          {
            step,
          },
        );
      }
      const format = head.equals(zipMagic) ? 'zip' : 'csv';
      if ((format === 'zip') !== (input.options.keySource === 'zip')) {
        throw new StationError(
          'JOB_INPUT_INVALID',
          format === 'zip'
            ? 'This is a ZIP file: choose "ZIP of CSR files" as the key source, or upload a CSV.'
            : 'A ZIP of CSR files was expected, but this is not a ZIP file.',
          { step },
        );
      }
      const id = randomUUID();
      const dir = path.join(jobsDir, id);
      await mkdir(dir, { recursive: true });
      const inputFile = path.join(dir, `input.${format}`);
      await rename(upload, inputFile);
      const createdAt = new Date().toISOString();
      writeTransaction(db, () => {
        insertJob(db, { id, options: input.options, inputName: input.inputName, createdBy: ctx.actor, createdAt });
      });
      recordAuditEvent(db, {
        actor: ctx.actor,
        action: 'job.created',
        subject: id,
        details: { kind: input.options.kind, input: input.inputName, policyId: input.options.policyId ?? null },
      });
      const entry = { stop: false, promise: Promise.resolve() };
      entry.promise = validateJobInput(
        {
          db,
          engine,
          jobId: id,
          options: input.options,
          onProgress: (rows, stored) => {
            liveCounts.set(id, {
              ...emptyCounts(),
              total: stored.pending + stored.invalid,
              pending: stored.pending,
              invalid: stored.invalid,
            });
            track(id, rows);
          },
          shouldStop: () => entry.stop,
        },
        inputFile,
        format,
      )
        .then(() => setJobState(db, id, 'validated'))
        .catch((error: unknown) => {
          const problem = isStationError(error)
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL', message: String(error) };
          // A file-level problem throws the whole input out: no half-validated job can be started.
          writeTransaction(db, () => {
            statement(db, 'DELETE FROM job_rows WHERE job_id = ?').run(id);
            setJobState(db, id, 'rejected', { problem });
          });
        })
        .finally(() => {
          progress.delete(id);
          liveCounts.delete(id);
          settle(id);
        });
      work.set(id, entry);
      touch(id);
      return get(id);
    },

    start(input, ctx) {
      const step = 'start-job';
      const job = getStoredJob(db, input.id, step);
      if (job.state !== 'validated' && job.state !== 'interrupted') {
        throw new StationError(
          'JOB_NOT_STARTABLE',
          `The job is ${job.state}; only a validated or interrupted job starts.`,
          {
            step,
            params: { state: job.state },
          },
        );
      }
      const counts = jobCounts(db, job.id);
      if (counts.invalid > 0 && !input.skipInvalid) {
        throw new StationError(
          'JOB_HAS_INVALID_ROWS',
          `${counts.invalid} row(s) did not pass the checks. Fix them and upload again, or start with the invalid rows skipped.`,
          { step, params: { count: counts.invalid } },
        );
      }
      const sealer =
        job.options.keySource === 'station'
          ? createKeySealer(job.options, {
              ...(input.passcode === undefined ? {} : { passcode: input.passcode }),
              chain: chainFor(job.options),
            })
          : null;
      const time = new Date().toISOString();
      writeTransaction(db, () => {
        moveRows(db, job.id, 'invalid', 'skipped');
        setJobState(db, job.id, 'running', { startedAt: time });
      });
      recordAuditEvent(db, {
        actor: ctx.actor,
        action: job.state === 'interrupted' ? 'job.resumed' : 'job.started',
        subject: job.id,
        details: { pending: counts.pending, skipped: counts.invalid },
      });
      const entry = { stop: false, promise: Promise.resolve() };
      let done = counts.done + counts.failed;
      // The invalid rows were just skipped, in the same transaction as the state.
      const live: Counts = { ...counts, invalid: 0, skipped: counts.skipped + counts.invalid };
      liveCounts.set(job.id, live);
      entry.promise = runJobRows({
        db,
        engine,
        ctx,
        job: { ...job, state: 'running' },
        sealer,
        shouldStop: () => entry.stop,
        onRowDone: (_row, outcome) => {
          live.pending -= 1;
          live[outcome] += 1;
          track(job.id, (done += 1));
        },
      })
        // The sealer's threads stop with the run, before the job settles.
        .finally(() => sealer?.close())
        .then(() => {
          const finished = new Date().toISOString();
          writeTransaction(db, () => {
            if (cancelled.has(job.id)) {
              moveRows(db, job.id, 'pending', 'cancelled');
              setJobState(db, job.id, 'cancelled', { finishedAt: finished });
            } else if (entry.stop) {
              setJobState(db, job.id, 'interrupted');
            } else {
              setJobState(db, job.id, 'completed', { finishedAt: finished });
            }
          });
          cancelled.delete(job.id);
        })
        .catch((error: unknown) => {
          console.error(`batch job ${job.id} stopped`, error);
          setJobState(db, job.id, 'interrupted');
        })
        .finally(() => {
          progress.delete(job.id);
          liveCounts.delete(job.id);
          running.delete(job.id);
          settle(job.id);
        });
      work.set(job.id, entry);
      running.add(job.id);
      touch(job.id);
      return get(job.id);
    },

    cancel(id, ctx) {
      const job = getStoredJob(db, id, 'cancel-job');
      const here = work.get(id);
      const elsewhere = job.state === 'running' && !here && runsElsewhere(id);
      if (job.state === 'running' && here) {
        cancelled.add(id);
        here.stop = true;
      } else if (elsewhere) {
        // Running in another process (serve, while this is the CLI): it sees the request at its
        // next heartbeat and cancels the rows it has not reached.
        statement(db, 'UPDATE jobs SET cancel_requested_at = ? WHERE id = ?').run(new Date().toISOString(), id);
        recordAuditEvent(db, { actor: ctx.actor, action: 'job.cancel-requested', subject: id, details: {} });
        emit(id);
        return get(id);
      } else if (job.state === 'validated' || job.state === 'interrupted' || job.state === 'running') {
        // (running with no live process: its process died and nobody has opened the store since)
        writeTransaction(db, () => {
          moveRows(db, id, 'pending', 'cancelled');
          setJobState(db, id, 'cancelled', { finishedAt: new Date().toISOString() });
        });
      } else {
        throw new StationError('JOB_NOT_STARTABLE', `The job is ${job.state}; there is nothing to cancel.`, {
          step: 'cancel-job',
          params: { state: job.state },
        });
      }
      recordAuditEvent(db, { actor: ctx.actor, action: 'job.cancelled', subject: id, details: {} });
      emit(id);
      return get(id);
    },

    get,
    list: () => listStoredJobs(db).map(toJob),

    problems(input) {
      getStoredJob(db, input.id, 'job-problems');
      return jobRowsPage(db, input.id, {
        afterLine: input.afterLine,
        limit: input.limit,
        statuses: ['invalid', 'failed', 'skipped'],
      }).map((row) => ({
        line: row.line,
        name: row.name,
        status: row.status === 'failed' ? 'failed' : 'invalid',
        code: row.errorCode ?? 'INVALID_INPUT',
        message: row.errorMessage ?? '',
      }));
    },

    settled(id) {
      if (!work.has(id)) return Promise.resolve(get(id));
      return new Promise((resolve) => {
        waiters.set(id, [...(waiters.get(id) ?? []), () => resolve(get(id))]);
      });
    },

    async writeResult(id, out, ctx, begin, options = {}) {
      const step = 'job-result';
      const { passcode } = options;
      if (passcode !== undefined) {
        const checked = resultPasscodeSchema.safeParse(passcode);
        if (!checked.success) {
          const issues = issuesFromZod(checked.error).map((issue) => ({ ...issue, path: 'passcode' }));
          throw new StationError(
            'INVALID_INPUT',
            `The result passcode must be ${resultPasscodeBounds.min} to ${resultPasscodeBounds.max} characters long.`,
            { step, issues, params: resultPasscodeBounds },
          );
        }
      }
      const job = getStoredJob(db, id, step);
      begin?.({ encrypted: passcode !== undefined });
      return writeJobResult(db, job, out, {
        workDir: path.join(jobsDir, id),
        ...(passcode === undefined ? {} : { passcode }),
        // On record before the last byte leaves: whoever has the whole result finds the entry.
        beforeEnd: (rows) =>
          recordAuditEvent(db, {
            actor: ctx.actor,
            action: 'job.result-downloaded',
            subject: id,
            // Whether it was encrypted, never with what.
            details: { rows, encrypted: passcode !== undefined },
          }),
      });
    },

    async close() {
      clearInterval(heartbeat);
      for (const entry of work.values()) entry.stop = true;
      await Promise.all([...work.values()].map((entry) => entry.promise));
    },
  };
}
