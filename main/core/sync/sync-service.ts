/**
 * Keeps the central server up to date: pushes the outbox in order, in batches the server
 * applies exactly once (keyed by station and outbox sequence), then pulls the configuration.
 * Offline is normal: a failed push leaves everything queued and is retried with exponential
 * backoff and full jitter; a restarted station asks the server how far it got and goes on from
 * there. The worker only runs where start() is called (the long-running station); CLI commands
 * use syncNow() for one cycle.
 */
import type { Database } from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { EnrolStationInput, SyncStatus } from '../../../preload/contract';
import type { SyncRecord } from '../../../sync-protocol';
import { appendAudit } from '../audit/audit-log.repo';
import { StationError } from '../errors/station-error';
import type { EventHub } from '../events/event-hub';
import { writeTransaction } from '../store/write-transaction';
import { createWakeablePause } from '../timing/wakeable-pause';
import { applyServerConfig } from './config-apply';
import {
  acknowledge,
  highestSequence,
  queueLength,
  readSyncState,
  recordAttempt,
  saveConfigVersion,
  saveEnrolment,
  type SyncStateRow,
  takeBatch,
} from './outbox.repo';
import { createSyncClient, normaliseServerUrl, type SyncClient, SyncRequestError } from './sync-client';

export interface SyncOptions {
  /** Records per push (the server takes at most 2000). */
  batchSize?: number;
  /** How often an idle worker looks for new records. */
  intervalMs?: number;
  /** How often the configuration is pulled (and the server thereby checked) when nothing is pushed. */
  configIntervalMs?: number;
  /** Backoff after a failure: a random wait up to min(capMs, baseMs × 2^(failures − 1)). */
  backoff?: { baseMs: number; capMs: number };
  /** A request taking longer counts as a network failure. */
  timeoutMs?: number;
  random?: () => number;
  now?: () => Date;
  /** Told of every push the server acknowledged: how many records, and how long the request took (the bench). */
  onPushed?: (push: { records: number; ms: number }) => void;
}

export interface SyncService {
  status(): SyncStatus;
  enrol(input: EnrolStationInput, actor: string): Promise<SyncStatus>;
  /** One cycle now: push until nothing is queued, then pull the configuration. Throws what failed. */
  syncNow(): Promise<SyncStatus>;
  /** Starts the background worker (idempotent). */
  start(): void;
  /** Stops the worker; a push in flight finishes first. */
  stop(): Promise<void>;
}

const STATUS_EVENT_MS = 250;

const intervalEnv = z.coerce.number().int().min(10).max(3_600_000);

/**
 * TRUSTLINE_SYNC_INTERVAL_MS shortens (or stretches) the worker's pace for a site or a test:
 * the idle interval itself, the configuration pull at 10×, the backoff ceiling at 20×.
 */
export function syncOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SyncOptions {
  const raw = env.TRUSTLINE_SYNC_INTERVAL_MS;
  if (raw === undefined || raw === '') return {};
  const parsed = intervalEnv.safeParse(raw);
  if (!parsed.success) {
    throw new StationError(
      'INVALID_INPUT',
      `TRUSTLINE_SYNC_INTERVAL_MS must be a whole number of milliseconds from 10 to 3600000, got "${raw}".`,
      { step: 'configure' },
    );
  }
  const ms = parsed.data;
  return { intervalMs: ms, configIntervalMs: ms * 10, backoff: { baseMs: ms, capMs: ms * 20 } };
}

export function createSyncService(db: Database, hub: EventHub | null, options: SyncOptions = {}): SyncService {
  const batchSize = options.batchSize ?? 1000;
  const intervalMs = options.intervalMs ?? 2_000;
  const configIntervalMs = options.configIntervalMs ?? 30_000;
  const backoff = options.backoff ?? { baseMs: 1_000, capMs: 60_000 };
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());

  /** Whether this process has asked the server for its mark since it started (or enrolled). */
  let resumed = false;
  let lastConfigPull = 0;
  let nextAttemptAt: string | null = null;
  let worker: Promise<void> | null = null;
  let stopping = false;
  const idle = createWakeablePause();
  let lastEmit = 0;

  const status = (): SyncStatus => {
    const state = readSyncState(db);
    return {
      connection: connectionOf(state),
      serverUrl: state.serverUrl,
      stationId: state.stationId,
      stationName: state.stationName,
      queueLength: queueLength(db),
      pushedThrough: state.pushedThrough,
      lastAttemptAt: state.lastAttemptAt,
      lastSuccessAt: state.lastSuccessAt,
      lastError: state.lastErrorCode ? { code: state.lastErrorCode, message: state.lastErrorMessage ?? '' } : null,
      nextAttemptAt,
      configWarnings: state.configWarnings,
    };
  };

  const emit = (force = false) => {
    if (!hub) return;
    const t = Date.now();
    if (!force && t - lastEmit < STATUS_EVENT_MS) return;
    lastEmit = t;
    hub.emit('sync.changed', status());
  };

  const clientFor = (state: SyncStateRow): { client: SyncClient; stationId: string } => {
    if (!state.serverUrl || !state.stationId || !state.credential) {
      throw new StationError('SYNC_NOT_ENROLLED', 'This station is not enrolled with a central server.', {
        step: 'sync',
      });
    }
    return {
      client: createSyncClient({
        serverUrl: state.serverUrl,
        credential: state.credential,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
      stationId: state.stationId,
    };
  };

  /** A mark beyond every sequence this station ever wrote: its store is not the one that pushed. */
  const notThisStore = (serverMark: number, highest: number) =>
    new SyncRequestError(
      { retryable: false, serverCode: 'SYNC_GAP' },
      `The server holds records up to ${serverMark} from this station, but this station has written only up to ` +
        `${highest}: its data was restored from a backup or copied from another station. Its newer records would ` +
        'be taken for ones the server already has, so nothing is sent. Syncing a restored station is not supported ' +
        'yet: its records stay here, and the server keeps what it had.',
    );

  /** Lines our mark up with the server's: it may have applied a push whose answer we never got. */
  const resume = (serverMark: number) => {
    const state = readSyncState(db);
    const highest = highestSequence(db);
    if (serverMark > highest) throw notThisStore(serverMark, highest);
    if (serverMark >= state.pushedThrough) {
      acknowledge(db, serverMark);
      return;
    }
    // Acknowledged entries are deleted here, so what the server lacks cannot be sent again.
    throw new SyncRequestError(
      { retryable: false, serverCode: 'SYNC_GAP' },
      `The server has records up to ${serverMark} only, but this station already handed over everything up to ` +
        `${state.pushedThrough} and no longer holds it (was the server restored from a backup?).`,
    );
  };

  /**
   * Pushes the outbox in order. A push the server refuses as such (bad request, too large, a
   * conflict) is split in halves until the one record it refuses is found, and that record is
   * named: everything after it waits for it, nothing is skipped.
   */
  const pushAll = async (client: SyncClient, stationId: string) => {
    let limit = batchSize;
    for (;;) {
      const after = readSyncState(db).pushedThrough;
      const records: SyncRecord[] = takeBatch(db, after, limit);
      const first = records[0];
      const last = records.at(-1);
      if (!first || !last) return;
      try {
        const sent = performance.now();
        const answer = await client.push({ stationId, firstSeq: first.seq, lastSeq: last.seq, records });
        options.onPushed?.({ records: records.length, ms: performance.now() - sent });
        const highest = highestSequence(db);
        if (answer.appliedThrough > highest) throw notThisStore(answer.appliedThrough, highest);
        acknowledge(db, answer.appliedThrough);
        if (readSyncState(db).pushedThrough < last.seq) {
          throw new SyncRequestError(
            { retryable: true },
            `The server acknowledged records up to ${answer.appliedThrough} only, after a push up to ${last.seq}.`,
          );
        }
        limit = Math.min(batchSize, limit * 2);
      } catch (error) {
        if (!(error instanceof SyncRequestError)) throw error;
        const mark = error.serverDetails?.appliedThrough;
        if (error.serverCode === 'SYNC_GAP' && typeof mark === 'number' && mark !== after) {
          resume(mark);
          continue;
        }
        if (!error.retryable && refusesContent(error.serverCode)) {
          if (records.length > 1) {
            limit = Math.ceil(records.length / 2);
            continue;
          }
          throw new SyncRequestError(
            { retryable: false, ...(error.serverCode ? { serverCode: error.serverCode } : {}) },
            `The server refuses record ${first.seq} (${first.kind} ${recordName(first)}): ${error.message}. ` +
              'The records after it wait until it is taken.',
          );
        }
        throw error;
      }
      emit();
    }
  };

  const cycle = async (pullConfig: boolean): Promise<SyncStatus> => {
    const state = readSyncState(db);
    const { client, stationId } = clientFor(state);
    const at = () => now().toISOString();
    try {
      if (!resumed) {
        resume((await client.state()).appliedThrough);
        resumed = true;
      }
      const queued = queueLength(db);
      await pushAll(client, stationId);
      if (pullConfig || queued > 0 || Date.now() - lastConfigPull >= configIntervalMs) {
        const before = readSyncState(db);
        const config = await client.config(before.configVersion);
        const applied = applyServerConfig(db, config, at(), before.configWarnings);
        // What could not be taken is asked for again next time (its CA may have arrived meanwhile).
        saveConfigVersion(db, applied.warnings.length > 0 ? before.configVersion : config.version, applied.warnings);
        lastConfigPull = Date.now();
        if (applied.deviceGroups.length > 0)
          hub?.emit('deviceGroups.changed', { change: 'renamed', ids: applied.deviceGroups });
        if (applied.policies.length > 0) hub?.emit('policies.changed', { ids: applied.policies });
      }
      recordAttempt(db, at(), null);
    } catch (error) {
      const failure =
        error instanceof StationError
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL', message: (error as Error).message };
      recordAttempt(db, at(), failure);
      throw error;
    } finally {
      emit(true);
    }
    return status();
  };

  /**
   * One thing at a time, whoever asks (the worker, sync.now, enrolment), in the order asked: a
   * sync.now during the worker's cycle gets a cycle of its own that starts after it, so what the
   * server changed just before is pulled; an enrolment never lands in the middle of a cycle.
   */
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const runCycle = (pullConfig: boolean) => exclusive(() => cycle(pullConfig));

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      let delay = intervalMs;
      // Whatever fails here (the store busy, a listener throwing) costs one round, never the worker.
      try {
        if (readSyncState(db).credential !== null) {
          await runCycle(false);
          failures = 0;
          nextAttemptAt = null;
        }
      } catch (error) {
        failures += 1;
        const retryable = !(error instanceof SyncRequestError) || error.retryable;
        const ceiling = retryable ? Math.min(backoff.capMs, backoff.baseMs * 2 ** (failures - 1)) : backoff.capMs;
        delay = Math.max(intervalMs / 10, Math.round(random() * ceiling));
        nextAttemptAt = new Date(now().getTime() + delay).toISOString();
        try {
          emit(true);
        } catch (emitError) {
          console.error('sync: the status event failed:', emitError);
        }
      }
      if (!stopping) await idle.pause(delay);
    }
  };

  const enrol = async (input: EnrolStationInput, actor: string): Promise<SyncStatus> => {
    const serverUrl = normaliseServerUrl(input.serverUrl);
    const current = readSyncState(db);
    if (current.credential) {
      // Its pushed records belong to that station ID on that server; a second enrolment would
      // start a new ID whose history the server never saw.
      throw new StationError(
        'SYNC_ALREADY_ENROLLED',
        `This station is already enrolled with ${current.serverUrl ?? '?'} as station ${current.stationId ?? '?'}.`,
        { step: 'sync-enrol', params: { serverUrl: current.serverUrl ?? '', stationId: current.stationId ?? '' } },
      );
    }
    const client = createSyncClient({
      serverUrl,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const answer = await client.enrol(input.enrolmentToken, input.stationName);
    const at = now().toISOString();
    writeTransaction(db, () => {
      saveEnrolment(db, {
        serverUrl,
        stationId: answer.stationId,
        stationName: input.stationName,
        credential: answer.credential,
        at,
      });
      appendAudit(
        db,
        {
          actor,
          action: 'sync.enrolled',
          subject: answer.stationId,
          details: { serverUrl, stationName: input.stationName },
        },
        at,
      );
    });
    resumed = false;
    lastConfigPull = 0;
    emit(true);
    idle.wake();
    return status();
  };

  return {
    status,
    enrol: (input, actor) => exclusive(() => enrol(input, actor)),
    syncNow: () => runCycle(true),
    start() {
      if (worker) return;
      stopping = false;
      worker = loop().catch((error: unknown) => console.error('sync: the worker stopped:', error));
    },
    async stop() {
      stopping = true;
      idle.wake();
      await worker;
      worker = null;
      await queue;
    },
  };
}

/** Refusals that are about what a push carries: a smaller push may get the rest through. */
function refusesContent(serverCode: string | null): boolean {
  return serverCode === 'BAD_REQUEST' || serverCode === 'PAYLOAD_TOO_LARGE' || serverCode === 'CONFLICT';
}

function recordName(record: SyncRecord): string {
  return record.kind === 'audit' ? `#${record.record.seq}` : record.record.id;
}

function connectionOf(state: SyncStateRow): SyncStatus['connection'] {
  if (!state.credential) return 'not-enrolled';
  if (!state.lastAttemptAt) return 'unknown';
  if (!state.lastErrorCode) return 'online';
  return state.lastErrorCode === 'SYNC_SERVER_UNREACHABLE' ? 'offline' : 'refused';
}
