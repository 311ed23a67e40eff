/**
 * A bench of simulated devices, each on its own PTY pair: the station opens `stationPath` like
 * any serial port. Every device's state lives under `stateDir/port-N/`, so a restarted simulator
 * brings back the same devices (serial numbers SIM000001, SIM000002, …, and their keys).
 *
 * Ports can be given faults (faults.ts): a lossy line, a hung or unplugged device, a device that
 * lies about its serial, its CSR, its lock, its readback or its proof of possession.
 *
 * Feed mode (options.feed) plays an operator at a fixture: once a port's device is locked and the
 * station has moved on (it polls IDENTIFY three times in a row), the board is taken away and a new one takes its place on the same PTY pair, until a supply of
 * `feed.total` devices is used up. The station keeps its port open and sees the new board by its
 * serial number. Fed devices live in `stateDir/devices/SIMxxxxxx.json`; which device sits on
 * which port, and how many were made, is kept in `stateDir/feed.json`, so a restarted simulator
 * goes on with the numbering and never brings a locked board back.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPtyPair, type PtyPair } from '../transports/pty-pairs';
import type { ByteLink } from '../transports/byte-link';
import { openSerialPort } from '../transports/serial-port';
import type { DeviceFaults } from './faults';
import { startVirtualDevice, type VirtualDevice } from './virtual-device';

export interface SimulatorOptions {
  ports: number;
  baudRate: number;
  stateDir: string;
  /** Per-port fault injection (see VirtualDeviceOptions.dropRate); default none. */
  dropRate?: number;
  seed?: number;
  /** Faults by port number (1-based), e.g. from parseFaultSpec(--faults). */
  faults?: ReadonlyMap<number, DeviceFaults> | Readonly<Record<number, DeviceFaults>>;
  /** Overrides every device's certificate-chain slot capacity (benchmarks of large transfers). */
  chainSlotCapacity?: number;
  /**
   * Feed mode: a locked device is replaced by a new one (the next serial number of a counter
   * shared by all ports) `swapDelayMs` (default 300) after the station moved on from it (three
   * IDENTIFYs in a row once locked, see VirtualDeviceOptions.onFinished), until `total`
   * devices, the first ones included, have been made; then a locked device leaves its port empty.
   * `total` is at least `ports`. Faults are the first devices' only: fed devices are fault-free,
   * since a fault spec names ports to test one board's misbehaviour, not a whole production run.
   */
  feed?: {
    total: number;
    swapDelayMs?: number;
    /** 'on-lock' takes a board as soon as it locks (a handler, for benchmarks); default: when the station moves on. */
    takeAway?: 'when-done' | 'on-lock';
  };
  /** Feed mode: called after each swap with the port's new device, or null when it stays empty. */
  onSwap?: (port: number, serialNumber: string | null) => void;
}

export interface SimulatedPort {
  /** 1-based, like the serial numbers and the state folders. */
  index: number;
  stationPath: string;
  /** The device on the port now (feed mode swaps it); '' while feed mode has left the port empty. */
  serialNumber: string;
  /** The faults this port's device shows (empty object: none). */
  faults: DeviceFaults;
}

export interface Simulator {
  ports: SimulatedPort[];
  /**
   * The devices, in port order (tests inspect their state and counters). Feed mode replaces a
   * port's entry with each new device; an emptied port keeps its last (closed) device, and a port
   * that was empty from the start has none.
   */
  devices: VirtualDevice[];
  /**
   * Power-cycles (or replugs) port `index` (1-based): the device and its PTY pair are closed and
   * started again at the same station path, with the same state file. A fired unplug fault is
   * spent (the replugged device works); `faults` replaces the port's faults if given.
   */
  restartPort(index: number, options?: { faults?: DeviceFaults }): Promise<void>;
  /** Resolves when port `index`'s device has unplugged itself (faults.unplug). */
  unplugged(index: number): Promise<void>;
  /** Devices made so far, the first ones included, across restarts (without feed: `ports`). */
  fed(): number;
  /** Cancels pending swaps, closes the devices and stops socat. */
  close(): Promise<void>;
}

export function simulatedSerialNumber(index: number): string {
  return `SIM${String(index + 1).padStart(6, '0')}`;
}

/** The device number (0-based, as simulatedSerialNumber takes it) of a simulated serial. */
function serialIndex(serialNumber: string): number {
  const match = /^SIM(\d{6,})$/.exec(serialNumber);
  if (!match?.[1]) throw new Error(`"${serialNumber}" is not a simulated serial number`);
  return Number(match[1]) - 1;
}

const DEFAULT_SWAP_DELAY_MS = 300;

/** feed.json: how many devices were made, and each port's device (null: empty). */
interface FeedState {
  created: number;
  ports: Array<string | null>;
}

function loadFeedState(file: string): FeedState {
  if (!existsSync(file)) return { created: 0, ports: [] };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<FeedState>;
  const valid =
    Number.isInteger(parsed.created) &&
    Array.isArray(parsed.ports) &&
    parsed.ports.every((serial) => serial === null || typeof serial === 'string');
  if (!valid) throw new Error(`${file} is not a simulator feed state`);
  const ports = parsed.ports ?? [];
  for (const serial of ports) if (serial !== null) serialIndex(serial);
  return { created: parsed.created ?? 0, ports };
}

/** Temporary file and rename, like the devices' state: a crash leaves the old count or the new. */
function saveFeedState(file: string, state: FeedState): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}

function faultsOf(options: SimulatorOptions, port: number): DeviceFaults {
  const { faults } = options;
  if (!faults) return {};
  if (faults instanceof Map) return { ...(faults.get(port) ?? {}) };
  return { ...((faults as Readonly<Record<number, DeviceFaults>>)[port] ?? {}) };
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (!Number.isInteger(options.ports) || options.ports < 1) throw new RangeError('ports must be a positive integer');
  const { feed } = options;
  if (feed && (!Number.isInteger(feed.total) || feed.total < options.ports)) {
    throw new RangeError('feed.total must be a whole number of devices, at least one per port');
  }
  const swapDelayMs = feed?.swapDelayMs ?? DEFAULT_SWAP_DELAY_MS;
  // The PTY links sit next to the state, so the paths are stable and easy to find.
  const linkDir = path.join(options.stateDir, 'ports');
  mkdirSync(linkDir, { recursive: true });
  const pairs: Array<PtyPair | undefined> = [];
  const devices: VirtualDevice[] = [];
  /** Each port's device-side link, handed from board to board in feed mode. */
  const deviceLinks: Array<ByteLink | undefined> = [];
  const ports: SimulatedPort[] = [];
  const unplugWaiters = new Map<number, Array<() => void>>();
  /** Pair closes in flight (an unplug stops socat while the device carries on). */
  const closing = new Set<Promise<void>>();

  const feedFile = path.join(options.stateDir, 'feed.json');
  // Without feed the counter is only the first devices, so fed() reads the same either way.
  const feedState: FeedState = feed ? loadFeedState(feedFile) : { created: 0, ports: [] };
  /** Feed mode: pending swaps by port (0-based), and swaps under way (close waits for them). */
  const swapTimers = new Map<number, NodeJS.Timeout>();
  const swapping = new Map<number, Promise<void>>();
  let stopped = false;

  /** The next device of the supply, or null when `feed.total` devices have been made. */
  const takeNext = (): string | null => {
    if (!feed || feedState.created >= feed.total) return null;
    feedState.created++;
    return simulatedSerialNumber(feedState.created - 1);
  };

  /** Each port's device from the start: the persisted one, else its own, else the next of the supply. */
  const initialSerial = (i: number): string | null => {
    const persisted = feedState.ports[i];
    // An emptied port is filled again when this run's supply is larger than the last one's.
    if (persisted === null) return takeNext();
    if (persisted !== undefined) return persisted;
    // A fresh port (or one added since the last run, whose own number may be handed out already).
    if (feedState.created <= i) {
      feedState.created = i + 1;
      return simulatedSerialNumber(i);
    }
    return takeNext();
  };

  const closePair = (i: number): Promise<void> => {
    const pair = pairs[i];
    pairs[i] = undefined;
    if (!pair) return Promise.resolve();
    const done = pair.close();
    closing.add(done);
    void done.finally(() => closing.delete(done));
    return done;
  };

  const close = async () => {
    stopped = true;
    for (const timer of swapTimers.values()) clearTimeout(timer);
    swapTimers.clear();
    await Promise.all([...swapping.values()]);
    await Promise.all(devices.map((device) => device.close()));
    await Promise.all(pairs.map((_, i) => closePair(i)));
    await Promise.all([...closing]);
  };

  /** Creates port i's PTY pair (i is 0-based); the port has no device yet. */
  const startPair = async (i: number): Promise<PtyPair> => {
    const pair = await createPtyPair(linkDir, `port${i + 1}`);
    pairs[i] = pair;
    const port = ports[i];
    if (port) port.stationPath = pair.stationPath;
    else ports[i] = { index: i + 1, stationPath: pair.stationPath, serialNumber: '', faults: {} };
    return pair;
  };

  /** Feed mode: a locked device is taken off the fixture after the operator's delay. */
  const scheduleSwap = (i: number) => {
    if (!feed || stopped || swapTimers.has(i) || swapping.has(i)) return;
    const timer = setTimeout(() => {
      swapTimers.delete(i);
      const done = swap(i).finally(() => swapping.delete(i));
      swapping.set(i, done);
    }, swapDelayMs);
    // A board waiting to be swapped is no reason to keep the process alive.
    timer.unref();
    swapTimers.set(i, timer);
  };

  /** Removes port i's locked device and puts the next of the supply there, on the same PTY pair. */
  const swap = async (i: number): Promise<void> => {
    const old = devices[i];
    const port = ports[i];
    // Restarted or closed meanwhile, or already swapped: only a locked device on the port goes.
    if (stopped || !old || !port || feedState.ports[i] === null || old.snapshot().lifecycle !== 'locked') return;
    const next = takeNext();
    feedState.ports[i] = next;
    saveFeedState(feedFile, feedState);
    port.serialNumber = '';
    port.faults = {};
    const link = deviceLinks[i];
    if (next === null || !link) {
      await old.close();
      options.onSwap?.(i + 1, null);
      return;
    }
    // The new board takes over the old one's open link in the same tick: no byte in flight is
    // lost (closing the tty could drop what socat had not relayed yet) and no request is missed.
    old.detach();
    try {
      await startDevice(i, next, {}, link);
    } catch {
      // A device that cannot start (its state file unwritable) leaves the port empty.
      await link.close().catch(() => undefined);
      options.onSwap?.(i + 1, null);
      return;
    }
    options.onSwap?.(i + 1, next);
  };

  /** Starts a device on port i's PTY pair (i is 0-based; the pair is up). */
  const startDevice = async (
    i: number,
    serialNumber: string,
    faults: DeviceFaults,
    handedOver?: ByteLink,
  ): Promise<VirtualDevice> => {
    const pair = pairs[i];
    if (!pair) throw new Error(`port ${i + 1} has no PTY pair`);
    const link = handedOver ?? (await openSerialPort(pair.devicePath, { baudRate: options.baudRate }));
    deviceLinks[i] = link;
    // The port's own device keeps the folder it always had; fed devices have one file each.
    const own = serialNumber === simulatedSerialNumber(i);
    const stateFile = own
      ? path.join(options.stateDir, `port-${i + 1}`, 'device.json')
      : path.join(options.stateDir, 'devices', `${serialNumber}.json`);
    try {
      const device = startVirtualDevice({
        link,
        stateFile,
        serialNumber,
        baudRate: options.baudRate,
        seed: (options.seed ?? 1) + (own ? i : serialIndex(serialNumber)),
        ...(options.dropRate === undefined ? {} : { dropRate: options.dropRate }),
        faults,
        ...(faults.duplicateSerialOf === undefined
          ? {}
          : { reportedSerialNumber: simulatedSerialNumber(faults.duplicateSerialOf - 1) }),
        ...(options.chainSlotCapacity === undefined ? {} : { chainSlotCapacity: options.chainSlotCapacity }),
        onUnplug: () => {
          // The tty goes away: socat stops, both links vanish, the station's port sees the hangup.
          void closePair(i).then(() => {
            for (const resolve of unplugWaiters.get(i + 1)?.splice(0) ?? []) resolve();
          });
        },
        ...(feed
          ? {
              onFinished: () => scheduleSwap(i),
              ...(feed.takeAway === 'on-lock' ? { finishedWhen: 'locked' as const } : {}),
            }
          : {}),
      });
      const port = ports[i];
      if (port) {
        port.serialNumber = device.serialNumber;
        port.faults = faults;
      }
      devices[i] = device;
      // Locked in an earlier run (and not swapped before it stopped): it goes now.
      if (feed && device.snapshot().lifecycle === 'locked') scheduleSwap(i);
      return device;
    } catch (error) {
      // An unreadable state file: the port is ours to close, the device never started.
      await link.close();
      throw error;
    }
  };

  try {
    for (let i = 0; i < options.ports; i++) {
      await startPair(i);
      const serialNumber = feed ? initialSerial(i) : simulatedSerialNumber(i);
      feedState.ports[i] = serialNumber;
      if (serialNumber === null) continue;
      const own = serialNumber === simulatedSerialNumber(i);
      await startDevice(i, serialNumber, own ? faultsOf(options, i + 1) : {});
    }
    if (!feed) feedState.created = options.ports;
    else saveFeedState(feedFile, feedState);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    ports,
    devices,
    async restartPort(index, restart) {
      const i = index - 1;
      const port = ports[i];
      if (!port) throw new RangeError(`no port ${index}`);
      // A swap due or under way finishes first; the restarted device is then the port's current one.
      const pending = swapTimers.get(i);
      if (pending) {
        clearTimeout(pending);
        swapTimers.delete(i);
      }
      await swapping.get(i);
      const old = devices[i];
      const serialNumber = feedState.ports[i] ?? null;
      const faults = restart?.faults ?? { ...port.faults };
      if (!restart?.faults && old?.stats.unplugged) delete faults.unplug;
      await old?.close();
      await closePair(i);
      await Promise.all([...closing]);
      await startPair(i);
      if (serialNumber !== null) await startDevice(i, serialNumber, faults);
    },
    unplugged(index) {
      const device = devices[index - 1];
      if (device?.stats.unplugged && !pairs[index - 1]) return Promise.resolve();
      return new Promise((resolve) => {
        const list = unplugWaiters.get(index) ?? [];
        list.push(resolve);
        unplugWaiters.set(index, list);
      });
    },
    fed: () => feedState.created,
    close,
  };
}
