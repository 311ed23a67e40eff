import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../core/device/simulator/simulator';
import { resolveDataDir } from '../core/store/data-dir';
import { UsageError } from './output';

export const simUsage = 'trustline sim --ports N [--baud 115200] [--state DIR] [--data DIR]';

/** Shared by `sim` and `device`: a positive integer flag, or a usage error naming it. */
export function positiveInteger(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a positive whole number, got "${value ?? ''}"`);
  }
  return n;
}

/**
 * Simulated devices on PTY pairs, for trying the station without hardware. Runs until SIGINT or
 * SIGTERM. The devices' state (serial numbers, keys, lock) is kept under --state, by default
 * DATA/simulator, so they are the same devices after a restart.
 */
export async function simCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ports: { type: 'string' },
      baud: { type: 'string' },
      state: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const ports = positiveInteger('--ports', values.ports);
  const baudRate = positiveInteger('--baud', values.baud, 115200);
  const stateDir = values.state
    ? path.resolve(values.state)
    : path.join(resolveDataDir({ flag: values.data }), 'simulator');
  const simulator = await startSimulator({ ports, baudRate, stateDir });
  for (const port of simulator.ports) {
    process.stdout.write(`port ${port.index}  ${port.stationPath}  ${port.serialNumber}\n`);
  }
  process.stdout.write(`Simulating ${ports} device(s) at ${baudRate} baud, state in ${stateDir}. Ctrl-C stops.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  // socat is stopped and waited for, so no PTY links are left behind.
  await simulator.close();
}
