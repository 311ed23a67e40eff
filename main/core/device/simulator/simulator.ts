/**
 * A bench of simulated devices, each on its own PTY pair: the station opens `stationPath` like
 * any serial port. Every device's state lives under `stateDir/port-N/`, so a restarted simulator
 * brings back the same devices (serial numbers SIM000001, SIM000002, …, and their keys).
 *
 * Ports can be given faults (faults.ts): a lossy line, a hung or unplugged device, a device that
 * lies about its serial, its CSR, its lock, its readback or its proof of possession.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createPtyPair, type PtyPair } from '../transports/pty-pairs';
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
}

export interface SimulatedPort {
  /** 1-based, like the serial numbers and the state folders. */
  index: number;
  stationPath: string;
  serialNumber: string;
  /** The faults this port's device shows (empty object: none). */
  faults: DeviceFaults;
}

export interface Simulator {
  ports: SimulatedPort[];
  /** The running devices, in port order (tests inspect their state and counters). */
  devices: VirtualDevice[];
  /**
   * Power-cycles (or replugs) port `index` (1-based): the device and its PTY pair are closed and
   * started again at the same station path, with the same state file. A fired unplug fault is
   * spent (the replugged device works); `faults` replaces the port's faults if given.
   */
  restartPort(index: number, options?: { faults?: DeviceFaults }): Promise<void>;
  /** Resolves when port `index`'s device has unplugged itself (faults.unplug). */
  unplugged(index: number): Promise<void>;
  close(): Promise<void>;
}

export function simulatedSerialNumber(index: number): string {
  return `SIM${String(index + 1).padStart(6, '0')}`;
}

function faultsOf(options: SimulatorOptions, port: number): DeviceFaults {
  const { faults } = options;
  if (!faults) return {};
  if (faults instanceof Map) return { ...(faults.get(port) ?? {}) };
  return { ...((faults as Readonly<Record<number, DeviceFaults>>)[port] ?? {}) };
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (!Number.isInteger(options.ports) || options.ports < 1) throw new RangeError('ports must be a positive integer');
  // The PTY links sit next to the state, so the paths are stable and easy to find.
  const linkDir = path.join(options.stateDir, 'ports');
  mkdirSync(linkDir, { recursive: true });
  const pairs: Array<PtyPair | undefined> = [];
  const devices: VirtualDevice[] = [];
  const ports: SimulatedPort[] = [];
  const unplugWaiters = new Map<number, Array<() => void>>();
  /** Pair closes in flight (an unplug stops socat while the device carries on). */
  const closing = new Set<Promise<void>>();

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
    await Promise.all(devices.map((device) => device.close()));
    await Promise.all(pairs.map((_, i) => closePair(i)));
    await Promise.all([...closing]);
  };

  /** Creates port i's PTY pair and starts its device (i is 0-based). */
  const startPort = async (i: number, faults: DeviceFaults): Promise<VirtualDevice> => {
    const pair = await createPtyPair(linkDir, `port${i + 1}`);
    pairs[i] = pair;
    const link = await openSerialPort(pair.devicePath, { baudRate: options.baudRate });
    try {
      const device = startVirtualDevice({
        link,
        stateFile: path.join(options.stateDir, `port-${i + 1}`, 'device.json'),
        serialNumber: simulatedSerialNumber(i),
        baudRate: options.baudRate,
        seed: (options.seed ?? 1) + i,
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
      });
      ports[i] = {
        index: i + 1,
        stationPath: pair.stationPath,
        serialNumber: device.serialNumber,
        faults,
      };
      devices[i] = device;
      return device;
    } catch (error) {
      // An unreadable state file: the port is ours to close, the device never started.
      await link.close();
      throw error;
    }
  };

  try {
    for (let i = 0; i < options.ports; i++) await startPort(i, faultsOf(options, i + 1));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    ports,
    devices,
    async restartPort(index, restart) {
      const i = index - 1;
      const old = devices[i];
      const port = ports[i];
      if (!old || !port) throw new RangeError(`no port ${index}`);
      const faults = restart?.faults ?? { ...port.faults };
      if (!restart?.faults && old.stats.unplugged) delete faults.unplug;
      await old.close();
      await closePair(i);
      await Promise.all([...closing]);
      await startPort(i, faults);
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
    close,
  };
}
