/**
 * One port of the gang: opens it (and reopens it when it goes away), watches for a device by
 * asking it to IDENTIFY, runs the device flow once per device, and keeps the result on the tile
 * until another device arrives. Ports never wait for each other: each worker is its own loop.
 */
import type { PortState } from '../../../preload/contract';
import { type DeviceConnection, type DeviceIdentity, findDriver } from '../device/drivers';
import type { ByteLink } from '../device/transports/byte-link';
import { openSerialPort } from '../device/transports/serial-port';
import { createWakeablePause } from '../timing/wakeable-pause';
import { toPortFailure } from './failures';
import type { FlowContext, FlowOutcome } from './device-flow';
import { runDeviceFlow } from './device-flow';

export interface LinkCounters {
  bytesOut: number;
  bytesIn: number;
}

export interface PortWorkerEvents {
  onState(state: PortState, detail: { serialNumber?: string | null; provisioningId?: string }): void;
  onDone(outcome: FlowOutcome, serialNumber: string): void;
  /** Returns false when another port of the gang holds a device with that serial right now. */
  claimSerial(serialNumber: string): boolean;
  releaseSerial(serialNumber: string): void;
}

export interface PortWorkerOptions {
  port: string;
  driver: string;
  baudRate: number;
  /** Pause between IDENTIFY polls while the same device (or none) sits on the port. */
  pollMs?: number;
  /** Pause before reopening a port that could not be opened or went away. */
  reopenMs?: number;
  flow: Omit<FlowContext, 'onState' | 'port'>;
  /** Opens the port; a test or bench can wrap it. Default: a serial port at the recipe's baud rate. */
  openLink?: (path: string, baudRate: number) => Promise<ByteLink>;
  events: PortWorkerEvents;
}

export interface PortWorker {
  readonly counters: LinkCounters;
  /** Stops taking new devices; a device in its flow finishes (or fails) first. */
  stop(): Promise<void>;
}

/** Counts the bytes both ways: the bench compares them with the link's capacity. */
function counting(link: ByteLink, counters: LinkCounters): ByteLink {
  return {
    path: link.path,
    write: (data) => {
      counters.bytesOut += data.length;
      return link.write(data);
    },
    onData: (listener) =>
      link.onData((chunk) => {
        counters.bytesIn += chunk.length;
        listener(chunk);
      }),
    onClose: (listener) => link.onClose(listener),
    close: () => link.close(),
  };
}

/** For this long after a device finished, the port is polled every SOON_POLL_MS. */
const SOON_WINDOW_MS = 2_000;
const SOON_POLL_MS = 20;

/** How often a device waiting for its label is asked whether it is still there. */
const LABEL_PRESENCE_POLL_MS = 300;

/** The tile state the controller shows for an outcome (it sets PASS/FAIL itself). */
function outcomeState(outcome: FlowOutcome): PortState {
  return outcome.kind === 'aborted' ? 'stopped' : outcome.kind;
}

export function startPortWorker(options: PortWorkerOptions): PortWorker {
  const pollMs = options.pollMs ?? 150;
  const reopenMs = options.reopenMs ?? 500;
  const counters: LinkCounters = { bytesOut: 0, bytesIn: 0 };
  const driver = findDriver(options.driver);
  const open = options.openLink ?? ((path, baudRate) => openSerialPort(path, { baudRate }));
  let stopping = false;
  /** The serial of the device whose result the tile shows; the same device is not provisioned twice in a row. */
  let finishedSerial: string | null = null;
  let shown: PortState | null = null;
  let finishedAt = 0;

  const show = (state: PortState, detail: { serialNumber?: string | null; provisioningId?: string } = {}) => {
    shown = state;
    options.events.onState(state, detail);
  };

  const { pause, wake } = createWakeablePause();

  /** Whatever stops an IDENTIFY (no answer, a closed port, garbage) means no device to work with now. */
  const identifyOrNull = (connection: DeviceConnection): Promise<DeviceIdentity | null> =>
    connection.identify().catch(() => null);

  /** Serves one opened link until it closes or the worker stops. */
  const serve = async (link: ByteLink) => {
    let closed = false;
    const offClose = link.onClose(() => {
      closed = true;
    });
    const connection = await driver.connect(link);
    try {
      while (!stopping && !closed) {
        const identity = await identifyOrNull(connection);
        // Stopped while asking: a device found now waits for the next start.
        if (stopping) break;
        if (!identity) {
          // No device (or it left): the tile keeps its PASS/FAIL until the next one arrives.
          if (shown !== 'pass' && shown !== 'fail') show('waiting', { serialNumber: null });
          finishedSerial = null;
          await pause(pollMs);
          continue;
        }
        if (identity.serialNumber === finishedSerial) {
          // Right after a device finishes the next one is being put in: look again soon, so a
          // handler's (or a quick operator's) next board does not wait a whole poll.
          await pause(Date.now() - finishedAt < SOON_WINDOW_MS ? Math.min(pollMs, SOON_POLL_MS) : pollMs);
          continue;
        }
        await provision(connection, identity);
        finishedAt = Date.now();
      }
    } finally {
      offClose();
      connection.release();
    }
  };

  /**
   * The operator's labels, while making sure the device they are for stays on the port: a board
   * pulled (or swapped for another) while it waits for its label must not lend its identity to
   * the next one. Resolves null when the device left or the worker stops.
   */
  const labelsWhilePresent = async (connection: DeviceConnection, serial: string) => {
    let waiting = true;
    const labels = options.flow.labels().finally(() => (waiting = false));
    const watch = (async (): Promise<null> => {
      while (waiting && !stopping) {
        await pause(LABEL_PRESENCE_POLL_MS);
        if (!waiting || stopping) break;
        const present = await identifyOrNull(connection);
        if (present?.serialNumber !== serial) return null;
      }
      return null;
    })();
    const first = await Promise.race([labels, watch]);
    waiting = false;
    if (first === null || stopping) return null;
    // Scanned: one more look that it is still the same board before its key is made.
    const still = await identifyOrNull(connection);
    return still?.serialNumber === serial ? first : null;
  };

  const provision = async (connection: DeviceConnection, identity: DeviceIdentity) => {
    const serial = identity.serialNumber;
    finishedSerial = serial;
    show('detected', { serialNumber: serial });
    const duplicate = !options.events.claimSerial(serial);
    let outcome: FlowOutcome;
    try {
      outcome = await runDeviceFlow(connection, identity, {
        ...options.flow,
        port: options.port,
        labels: () => labelsWhilePresent(connection, serial),
        onState: (state, detail) => show(state, { serialNumber: serial, ...detail }),
        // A duplicate never gets as far as a key: the flow fails it at once.
        ...(duplicate ? { duplicateOnGang: true } : {}),
      });
    } catch (error) {
      // The flow records its own failures; this is the store refusing even that.
      outcome = { kind: 'fail', provisioningId: null, failure: toPortFailure(error, shown ?? 'identified') };
    } finally {
      if (!duplicate) options.events.releaseSerial(serial);
    }
    // A board that left while waiting for its label is looked at afresh if it comes back.
    if (outcome.kind === 'aborted') finishedSerial = null;
    shown = outcomeState(outcome);
    options.events.onDone(outcome, serial);
  };

  const loop = async () => {
    while (!stopping) {
      let link: ByteLink;
      try {
        link = counting(await open(options.port, options.baudRate), counters);
      } catch {
        // The device went with its port: whatever comes back is provisioned (or retried) anew.
        finishedSerial = null;
        // A port that vanished with its device keeps the device's PASS/FAIL on the tile.
        if (shown !== 'waiting' && shown !== 'pass' && shown !== 'fail') show('waiting', { serialNumber: null });
        await pause(reopenMs);
        continue;
      }
      try {
        await serve(link);
      } catch {
        // The port went away under the connection; reopen it after a pause.
      } finally {
        await link.close().catch(() => undefined);
      }
      // A port that closed took its device with it (power-cycled, re-enumerated): the same serial
      // seen on the reopened port is a device put back, looked at anew — not the one just finished.
      // Without this, a port reopened before any IDENTIFY went unanswered ignored it for good.
      finishedSerial = null;
      if (!stopping) await pause(reopenMs);
    }
    show('stopped', { serialNumber: null });
  };

  const running = loop();
  return {
    counters,
    async stop() {
      stopping = true;
      wake();
      await running;
    },
  };
}
