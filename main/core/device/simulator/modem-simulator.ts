/**
 * Simulated nRF91-style modems on PTY pairs, for the nrf91-at driver: the same layout as the
 * protocol simulator (links in `stateDir/ports`, state per port), so the station opens them the
 * same way. Faults are per command (+CME ERROR), set through startVirtualModem in tests.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createPtyPair, type PtyPair } from '../transports/pty-pairs';
import { openSerialPort } from '../transports/serial-port';
import { startVirtualModem, type VirtualModem } from './at-modem/virtual-modem';

export interface SimulatedModemPort {
  index: number;
  stationPath: string;
  /** The IMEI, which the driver reports as the serial number. */
  serialNumber: string;
}

/** A valid-looking, stable IMEI per port (15 digits; the TAC 35000000 is a test range here). */
export function simulatedImei(index: number): string {
  return `35000000${String(index).padStart(7, '0')}`;
}

export async function startModemSimulator(options: {
  ports: number;
  baudRate: number;
  stateDir: string;
}): Promise<{ ports: SimulatedModemPort[]; close(): Promise<void> }> {
  if (!Number.isInteger(options.ports) || options.ports < 1) throw new RangeError('ports must be a positive integer');
  const linkDir = path.join(options.stateDir, 'ports');
  mkdirSync(linkDir, { recursive: true });
  const pairs: PtyPair[] = [];
  const modems: VirtualModem[] = [];
  const ports: SimulatedModemPort[] = [];
  const close = async () => {
    await Promise.allSettled(modems.map((m) => m.close()));
    await Promise.allSettled(pairs.map((p) => p.close()));
  };
  try {
    for (let index = 1; index <= options.ports; index += 1) {
      const pair = await createPtyPair(linkDir, `port${index}`);
      pairs.push(pair);
      const stateDir = path.join(options.stateDir, `port-${index}`);
      mkdirSync(stateDir, { recursive: true });
      const modem = await startVirtualModem({
        link: await openSerialPort(pair.devicePath, { baudRate: options.baudRate }),
        stateFile: path.join(stateDir, 'modem.json'),
        imei: simulatedImei(index),
        baudRate: options.baudRate,
      });
      modems.push(modem);
      ports.push({ index, stationPath: pair.stationPath, serialNumber: modem.serialNumber });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { ports, close };
}
