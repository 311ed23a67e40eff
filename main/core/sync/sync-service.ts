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
  oldestQueued,
  queueLength,
  readSyncState,
  recordAttempt,
  rewindPushedThrough,
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

  /** Lines our mark up with the server's: it may have applied a push whose answer we never got. */
  const resume = (serverMark: number) => {
    const state = readSyncState(db);
    if (serverMark >= state.pushedThrough) {
      acknowledge(db, serverMark);
      return;
    }
    const oldest = oldestQueued(db);
    if (oldest === null || oldest > serverMark + 1) {
      throw new SyncRequestError(
        { retryable: false, serverCode: 'SYNC_GAP' },
        `The server has records up to ${serverMark} only, but this station already handed over everything up to ` +
          `${state.pushedThrough} and no longer holds it (was the server restored from a backup?).`,
      );
    }
    // The server is behind but what it lacks is still queued here: send it again.
    rewindPushedThrough(db, serverMark);
  };

  const pushAll = async (client: SyncClient, stationId: string) => {
    for (;;) {
      const after = readSyncState(db).pushedThrough;
      const records: SyncRecord[] = takeBatch(db, after, batchSize);
      const first = records[0];
      const last = records.at(-1);
      if (!first || !last) return;
      try {
        const sent = performance.now();
        const answer = await client.push({ stationId, firstSeq: first.seq, lastSeq: last.seq, records });
        options.onPushed?.({ records: records.length, ms: performance.now() - sent });
        acknowledge(db, answer.appliedThrough);
      } catch (error) {
        const mark = error instanceof SyncRequestError ? error.serverDetails?.appliedThrough : undefined;
        if (error instanceof SyncRequestError && error.serverCode === 'SYNC_GAP' && typeof mark === 'number') {
          resume(mark);
          continue;
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
        const config = await client.config(readSyncState(db).configVersion);
        const applied = applyServerConfig(db, config, at());
        saveConfigVersion(db, config.version, applied.warnings);
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
   * One cycle at a time, whoever asks (the worker, sync.now, enrolment), in the order asked: a
   * sync.now during the worker's cycle gets a cycle of its own that starts after it, so what the
   * server changed just before is pulled.
   */
  let queue: Promise<unknown> = Promise.resolve();
  const runCycle = (pullConfig: boolean): Promise<SyncStatus> => {
    const next = queue.then(
      () => cycle(pullConfig),
      () => cycle(pullConfig),
    );
    queue = next.catch(() => undefined);
    return next;
  };

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      let delay = intervalMs;
      const enrolled = readSyncState(db).credential !== null;
      if (enrolled) {
        try {
          await runCycle(false);
          failures = 0;
          nextAttemptAt = null;
        } catch (error) {
          failures += 1;
          const retryable = !(error instanceof SyncRequestError) || error.retryable;
          const ceiling = retryable ? Math.min(backoff.capMs, backoff.baseMs * 2 ** (failures - 1)) : backoff.capMs;
          delay = Math.max(intervalMs / 10, Math.round(random() * ceiling));
          nextAttemptAt = new Date(now().getTime() + delay).toISOString();
          emit(true);
        }
      }
      if (!stopping) await idle.pause(delay);
    }
  };

  return {
    status,
    async enrol(input, actor) {
      const serverUrl = normaliseServerUrl(input.serverUrl);
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
    },
    syncNow: () => runCycle(true),
    start() {
      if (worker) return;
      stopping = false;
      worker = loop();
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

function connectionOf(state: SyncStateRow): SyncStatus['connection'] {
  if (!state.credential) return 'not-enrolled';
  if (!state.lastAttemptAt) return 'unknown';
  if (!state.lastErrorCode) return 'online';
  return state.lastErrorCode === 'SYNC_SERVER_UNREACHABLE' ? 'offline' : 'refused';
}
