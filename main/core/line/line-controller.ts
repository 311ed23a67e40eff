/**
 * The station's line: one run at a time over a recipe's ports, a worker per port, the tiles,
 * the shift counters and throughput the operator screen shows, and the scanner input.
 */
import type { Database } from 'better-sqlite3';
import type { LineStatus, OperatorAttribute, PortState, PortTile, Recipe } from '../../../preload/contract';
import type { EventHub } from '../events/event-hub';
import { StationError } from '../errors/station-error';
import type { IssuanceEngine } from '../issuance/issuance-engine';
import type { MutationContext } from '../inventory/mutation-context';
import type { ByteLink } from '../device/transports/byte-link';
import type { FlowOutcome } from './device-flow';
import { openOrResumeRun, runCounts, setAttemptLabels, stopRun } from './provisionings.repo';
import { getRecipe } from './recipes.repo';
import { type LinkCounters, type PortWorker, startPortWorker } from './port-worker';

export interface DeviceResult {
  port: string;
  index: number;
  serialNumber: string;
  outcome: Exclude<FlowOutcome, { kind: 'aborted' }>;
  durationMs: number;
}

export interface LineController {
  status(): LineStatus;
  start(
    input: {
      recipeId: string;
      lot?: string | undefined;
      ports?: string[] | undefined;
      labels?: Record<string, string> | undefined;
    },
    ctx: MutationContext,
  ): Promise<LineStatus>;
  stop(ctx: MutationContext): Promise<LineStatus>;
  scan(input: { port?: number | undefined; code: string }): LineStatus;
  /** Called once per finished device (PASS or FAIL); the headless runner prints them. */
  onDevice(listener: (result: DeviceResult) => void): () => void;
  /** Bytes each port exchanged in this run (the bench's link-limited ideal). */
  linkCounters(): LinkCounters[];
  /** Ports that the line holds open now: QA must not talk to them at the same time. */
  busyPorts(): ReadonlySet<string>;
  close(): Promise<void>;
}

export interface LineControllerOptions {
  db: Database;
  hub: EventHub;
  issuance: IssuanceEngine;
  now?: () => Date;
  pollMs?: number;
  openLink?: (path: string, baudRate: number) => Promise<ByteLink>;
}

interface PortSlot {
  tile: PortTile;
  worker: PortWorker | null;
  /** Labels for the device now on the port, and who waits for them. */
  labelWaiter: ((labels: Record<string, string> | null) => void) | null;
}

const EMIT_EVERY_MS = 100;

/** A scanned (or given) label must match its attribute's pattern in full. */
function checkLabel(attribute: OperatorAttribute, code: string): void {
  if (attribute.pattern !== undefined && !new RegExp(`^(?:${attribute.pattern})$`, 'u').test(code)) {
    throw new StationError('LABEL_INVALID', `"${code}" is not a valid ${attribute.label}.`, {
      step: 'scan-label',
      params: { label: attribute.label, code },
    });
  }
}
const THROUGHPUT_MINUTES = 60;

export function createLineController(options: LineControllerOptions): LineController {
  const now = options.now ?? (() => new Date());
  let run: { id: string; lot: string; recipe: Recipe; startedAt: string; actor: string } | null = null;
  let slots: PortSlot[] = [];
  let counters = { passed: 0, failed: 0 };
  const perMinute = new Map<string, { passed: number; failed: number }>();
  const claimed = new Set<string>();
  const listeners = new Set<(result: DeviceResult) => void>();
  let emitTimer: NodeJS.Timeout | null = null;
  let starting = false;
  /** Set first thing in stop()/close(): a label wait that begins after it resolves at once. */
  let stopping = false;

  const status = (): LineStatus => {
    const done = counters.passed + counters.failed;
    const cutoff = new Date(now().getTime() - THROUGHPUT_MINUTES * 60_000).toISOString();
    return {
      running: run !== null,
      runId: run?.id ?? null,
      lot: run?.lot ?? null,
      recipeId: run?.recipe.id ?? null,
      recipeName: run?.recipe.name ?? null,
      startedAt: run?.startedAt ?? null,
      ports: slots.map((slot) => ({ ...slot.tile, labels: { ...slot.tile.labels } })),
      counters: { ...counters, yield: done === 0 ? null : counters.passed / done },
      throughput: [...perMinute.entries()]
        .filter(([minute]) => minute >= cutoff.slice(0, 16))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([minute, counts]) => ({ minute: `${minute}:00.000Z`, ...counts })),
    };
  };

  const emitSoon = () => {
    if (emitTimer) return;
    emitTimer = setTimeout(() => {
      emitTimer = null;
      options.hub.emit('line.changed', status());
    }, EMIT_EVERY_MS);
    emitTimer.unref();
  };

  const setTile = (
    slot: PortSlot,
    state: PortState,
    detail: { serialNumber?: string | null; provisioningId?: string },
  ) => {
    const tile = slot.tile;
    const newDevice = state === 'detected' || (state === 'waiting' && tile.state !== 'waiting');
    if (newDevice) {
      tile.startedAt = state === 'detected' ? now().toISOString() : null;
      tile.durationMs = null;
      tile.failure = null;
      tile.provisioningId = null;
      tile.alreadyProvisioned = false;
      tile.labels = {};
      slot.labelWaiter = null;
    }
    tile.state = state;
    if (detail.serialNumber !== undefined) tile.serialNumber = detail.serialNumber;
    if (detail.provisioningId !== undefined) tile.provisioningId = detail.provisioningId;
    emitSoon();
  };

  const finish = (slot: PortSlot, serialNumber: string, outcome: FlowOutcome) => {
    const tile = slot.tile;
    if (outcome.kind === 'aborted') {
      // The line stopped, or the board left before its label was scanned: nothing was started.
      tile.state = run && !stopping ? 'waiting' : 'stopped';
      tile.serialNumber = null;
      emitSoon();
      return;
    }
    const ended = now();
    const durationMs = tile.startedAt ? Math.max(0, ended.getTime() - Date.parse(tile.startedAt)) : 0;
    tile.durationMs = durationMs;
    tile.provisioningId = outcome.provisioningId;
    const counted = !(outcome.kind === 'pass' && outcome.alreadyProvisioned);
    if (outcome.kind === 'pass') {
      tile.state = 'pass';
      tile.alreadyProvisioned = outcome.alreadyProvisioned;
      if (counted) counters.passed++;
    } else {
      tile.state = 'fail';
      tile.failure = outcome.failure;
      counters.failed++;
    }
    if (counted) {
      const minute = ended.toISOString().slice(0, 16);
      const bucket = perMinute.get(minute) ?? { passed: 0, failed: 0 };
      if (outcome.kind === 'pass') bucket.passed++;
      else bucket.failed++;
      perMinute.set(minute, bucket);
      // A shift runs for hours: keep only the chart's hour, so memory does not grow with the count.
      const cutoff = new Date(ended.getTime() - THROUGHPUT_MINUTES * 60_000).toISOString().slice(0, 16);
      for (const key of perMinute.keys()) if (key < cutoff) perMinute.delete(key);
    }
    emitSoon();
    for (const listener of listeners) {
      listener({ port: tile.port, index: tile.index, serialNumber, outcome, durationMs });
    }
  };

  /** Labels never scanned would keep a worker waiting forever. */
  const releaseLabelWaiters = () => {
    for (const slot of slots) {
      const waiter = slot.labelWaiter;
      slot.labelWaiter = null;
      waiter?.(null);
    }
  };

  const stopWorkers = async () => {
    const workers = slots.map((slot) => slot.worker);
    await Promise.all(workers.map((worker) => worker?.stop()));
    for (const slot of slots) slot.worker = null;
  };

  return {
    status,
    async start(input, ctx) {
      if (run || starting) {
        throw new StationError('LINE_RUNNING', 'The line is already running; stop it before starting another recipe.', {
          step: 'start-line',
        });
      }
      starting = true;
      try {
        const recipe = getRecipe(options.db, input.recipeId, 'start-line');
        for (const attribute of recipe.operatorAttributes) {
          const given = input.labels?.[attribute.key];
          if (given !== undefined) checkLabel(attribute, given);
        }
        // Labels stand in for the operator's scans only: they may not override what the device reports.
        const unknown = Object.keys(input.labels ?? {}).filter(
          (key) => !recipe.operatorAttributes.some((a) => a.key === key),
        );
        if (unknown.length > 0) {
          throw new StationError(
            'INVALID_INPUT',
            `The recipe ${recipe.name} asks the operator for ${recipe.operatorAttributes.map((a) => a.key).join(', ') || 'nothing'}; ${unknown.join(', ')} cannot be given.`,
            {
              step: 'start-line',
              issues: unknown.map((key) => ({ path: `labels.${key}`, message: 'not asked by the recipe' })),
            },
          );
        }
        const opened = openOrResumeRun(options.db, recipe, input.lot, ctx.actor, now().toISOString());
        // A resumed run keeps the recipe it started with.
        run = { id: opened.id, lot: opened.lot, recipe: opened.recipe, startedAt: opened.startedAt, actor: ctx.actor };
        const counts = runCounts(options.db, opened.id);
        counters = { ...counts };
        perMinute.clear();
        claimed.clear();
        const flowRecipe = input.ports ? { ...opened.recipe, ports: input.ports } : opened.recipe;
        const fixedLabels = input.labels ?? {};
        slots = flowRecipe.ports.map((port, i) => ({
          tile: {
            index: i + 1,
            port,
            state: 'waiting',
            serialNumber: null,
            provisioningId: null,
            startedAt: null,
            durationMs: null,
            labels: {},
            failure: null,
            alreadyProvisioned: false,
          },
          worker: null,
          labelWaiter: null,
        }));
        for (const slot of slots) {
          slot.worker = startPortWorker({
            port: slot.tile.port,
            driver: flowRecipe.driver,
            baudRate: flowRecipe.baudRate,
            ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
            ...(options.openLink ? { openLink: options.openLink } : {}),
            flow: {
              db: options.db,
              issuance: options.issuance,
              recipe: flowRecipe,
              runId: opened.id,
              actor: ctx.actor,
              now,
              labels: () =>
                new Promise((resolve) => {
                  if (stopping) {
                    resolve(null);
                    return;
                  }
                  Object.assign(slot.tile.labels, fixedLabels);
                  const missing = flowRecipe.operatorAttributes.filter((a) => slot.tile.labels[a.key] === undefined);
                  if (missing.length === 0) resolve({ ...slot.tile.labels });
                  else slot.labelWaiter = resolve;
                }),
            },
            events: {
              onState: (state, detail) => setTile(slot, state, detail),
              onDone: (outcome, serial) => finish(slot, serial, outcome),
              claimSerial: (serial) => {
                if (claimed.has(serial)) return false;
                claimed.add(serial);
                return true;
              },
              releaseSerial: (serial) => claimed.delete(serial),
            },
          });
        }
        emitSoon();
        return status();
      } finally {
        starting = false;
      }
    },
    async stop(ctx) {
      const current = run;
      if (!current) {
        throw new StationError('LINE_NOT_RUNNING', 'The line is not running.', { step: 'stop-line' });
      }
      stopping = true;
      releaseLabelWaiters();
      try {
        await stopWorkers();
      } finally {
        stopping = false;
      }
      stopRun(options.db, current.id, ctx.actor, now().toISOString());
      run = null;
      emitSoon();
      return status();
    },
    scan(input) {
      if (!run) throw new StationError('LINE_NOT_RUNNING', 'The line is not running.', { step: 'scan-label' });
      const wanted = run.recipe.operatorAttributes;
      const slot =
        input.port === undefined
          ? // A port that has all its labels is still shown waiting while its board is checked once more.
            slots.find(
              (s) => s.tile.state === 'waiting-label' && wanted.some((a) => s.tile.labels[a.key] === undefined),
            )
          : slots.find((s) => s.tile.index === input.port);
      if (!slot || slot.tile.state !== 'waiting-label') {
        throw new StationError(
          'NO_PORT_WAITING_FOR_LABEL',
          input.port === undefined
            ? 'No port is waiting for a label.'
            : `Port ${input.port} is not waiting for a label.`,
          { step: 'scan-label', ...(input.port === undefined ? {} : { params: { port: input.port } }) },
        );
      }
      const next = wanted.find((a) => slot.tile.labels[a.key] === undefined);
      if (!next)
        throw new StationError('NO_PORT_WAITING_FOR_LABEL', 'The port has all its labels.', { step: 'scan-label' });
      checkLabel(next, input.code);
      slot.tile.labels[next.key] = input.code;
      if (slot.tile.provisioningId) setAttemptLabels(options.db, slot.tile.provisioningId, slot.tile.labels);
      if (wanted.every((a) => slot.tile.labels[a.key] !== undefined)) {
        const resolve = slot.labelWaiter;
        slot.labelWaiter = null;
        resolve?.({ ...slot.tile.labels });
      }
      emitSoon();
      return status();
    },
    onDevice(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    linkCounters: () => slots.map((slot) => slot.worker?.counters ?? { bytesOut: 0, bytesIn: 0 }),
    busyPorts: () => new Set(run ? slots.map((slot) => slot.tile.port) : []),
    async close() {
      if (emitTimer) clearTimeout(emitTimer);
      emitTimer = null;
      stopping = true;
      releaseLabelWaiters();
      // The run stays open: the next start of its recipe resumes it, like after a crash.
      await stopWorkers();
    },
  };
}
