/**
 * A bench of simulated devices, each on its own PTY pair: the station opens `stationPath` like
 * any serial port. Every device's state lives under `stateDir/port-N/`, so a restarted simulator
 * brings back the same devices (serial numbers SIM000001, SIM000002, …, and their keys).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createPtyPair, type PtyPair } from '../transports/pty-pairs';
import { openSerialPort } from '../transports/serial-port';
import { startVirtualDevice, type VirtualDevice } from './virtual-device';

export interface SimulatorOptions {
  ports: number;
  baudRate: number;
  stateDir: string;
  /** Per-port fault injection (see VirtualDeviceOptions.dropRate); default none. */
  dropRate?: number;
  seed?: number;
}

export interface SimulatedPort {
  /** 1-based, like the serial numbers and the state folders. */
  index: number;
  stationPath: string;
  serialNumber: string;
}

export interface Simulator {
  ports: SimulatedPort[];
  /** The running devices, in port order (tests inspect their state and counters). */
  devices: VirtualDevice[];
  close(): Promise<void>;
}

export function simulatedSerialNumber(index: number): string {
  return `SIM${String(index + 1).padStart(6, '0')}`;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (!Number.isInteger(options.ports) || options.ports < 1) throw new RangeError('ports must be a positive integer');
  // The PTY links sit next to the state, so the paths are stable and easy to find.
  const linkDir = path.join(options.stateDir, 'ports');
  mkdirSync(linkDir, { recursive: true });
  const pairs: PtyPair[] = [];
  const devices: VirtualDevice[] = [];
  const ports: SimulatedPort[] = [];
  const close = async () => {
    await Promise.all(devices.map((device) => device.close()));
    await Promise.all(pairs.map((pair) => pair.close()));
  };
  try {
    for (let index = 0; index < options.ports; index++) {
      const pair = await createPtyPair(linkDir, `port${index + 1}`);
      pairs.push(pair);
      const link = await openSerialPort(pair.devicePath, { baudRate: options.baudRate });
      let device: VirtualDevice;
      try {
        device = startVirtualDevice({
          link,
          stateFile: path.join(options.stateDir, `port-${index + 1}`, 'device.json'),
          serialNumber: simulatedSerialNumber(index),
          baudRate: options.baudRate,
          ...(options.dropRate === undefined ? {} : { dropRate: options.dropRate, seed: (options.seed ?? 1) + index }),
        });
      } catch (error) {
        // An unreadable state file: the port is ours to close, the device never started.
        await link.close();
        throw error;
      }
      devices.push(device);
      ports.push({ index: index + 1, stationPath: pair.stationPath, serialNumber: device.serialNumber });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ports,
    devices,
    close,
  };
}
