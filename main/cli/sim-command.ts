import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeFaults, FAULT_SPEC_SYNTAX, FaultSpecError, parseFaultSpec } from '../core/device/simulator/faults';
import { untilStopped } from './until-stopped';
import { startModemSimulator } from '../core/device/simulator/modem-simulator';
import { startSimulator } from '../core/device/simulator/simulator';
import { resolveDataDir } from '../core/store/data-dir';
import { UsageError } from './output';

export const simUsage =
  'trustline sim --ports N [--kind trustline|nrf91-at] [--baud 115200] [--state DIR] [--data DIR] [--faults SPEC] [--seed N]\n' +
  '              [--feed TOTAL [--swap-delay MS] [--take-away when-done|on-lock]]\n' +
  `    --faults SPEC: ${FAULT_SPEC_SYNTAX}\n` +
  '    --feed TOTAL: a locked device is replaced by a new one on its port (the next serial number),\n' +
  '      until TOTAL devices (at least one per port) have been made; --swap-delay: ms before a swap (300);\n' +
  '      --take-away when-done (default: once the station polls on, like an operator) or on-lock (a handler; benches)';

const REPLUG_DELAY_MS = 2_000;

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
      faults: { type: 'string' },
      seed: { type: 'string' },
      feed: { type: 'string' },
      'swap-delay': { type: 'string' },
      'take-away': { type: 'string' },
      kind: { type: 'string', default: 'trustline' },
    },
  });
  if (values.kind !== 'trustline' && values.kind !== 'nrf91-at') {
    throw new UsageError(`--kind is trustline or nrf91-at, got "${values.kind}"`);
  }
  if (values.kind === 'nrf91-at' && values.faults !== undefined) {
    throw new UsageError('--faults applies to trustline devices; simulated modems take +CME ERROR faults in tests');
  }
  if (values.kind === 'nrf91-at' && (values.feed !== undefined || values['swap-delay'] !== undefined)) {
    throw new UsageError('--feed applies to trustline devices, not simulated modems');
  }
  if (values['swap-delay'] !== undefined && values.feed === undefined) {
    throw new UsageError('--swap-delay goes with --feed');
  }
  const ports = positiveInteger('--ports', values.ports);
  const baudRate = positiveInteger('--baud', values.baud, 115200);
  const seed = positiveInteger('--seed', values.seed, 1);
  const given = values['take-away'];
  if (given !== undefined && given !== 'when-done' && given !== 'on-lock') {
    throw new UsageError(`--take-away is when-done or on-lock, got "${given}"`);
  }
  const takeAway: 'when-done' | 'on-lock' | undefined = given;
  if (takeAway !== undefined && values.feed === undefined) throw new UsageError('--take-away goes with --feed');
  const feed =
    values.feed === undefined
      ? undefined
      : { ...feedOption(values.feed, values['swap-delay'], ports), ...(takeAway ? { takeAway } : {}) };
  let faults;
  try {
    faults = values.faults === undefined ? undefined : parseFaultSpec(values.faults, ports);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(error.message);
    throw error;
  }
  const stateDir = values.state
    ? path.resolve(values.state)
    : path.join(resolveDataDir({ flag: values.data }), 'simulator');
  if (values.kind === 'nrf91-at') return runModems(ports, baudRate, stateDir);
  const simulator = await startSimulator({
    ports,
    baudRate,
    stateDir,
    seed,
    ...(faults ? { faults } : {}),
    ...(feed
      ? {
          feed,
          onSwap: (port: number, serialNumber: string | null) => {
            process.stdout.write(
              serialNumber === null
                ? `port ${port}  empty (supply of ${feed.total} devices used up)\n`
                : `port ${port}  next device ${serialNumber}\n`,
            );
          },
        }
      : {}),
  });
  for (const port of simulator.ports) {
    const described = describeFaults(port.faults);
    // An empty port: a restarted feed whose supply was used up there.
    process.stdout.write(
      `port ${port.index}  ${port.stationPath}  ${port.serialNumber || 'empty'}${described ? `  faults: ${described}` : ''}\n`,
    );
  }
  // An unplugged device comes back after a moment, like a new board on the fixture; the fault is spent.
  let stopping = false;
  for (const port of simulator.ports.filter((p) => p.faults.unplug)) {
    void simulator.unplugged(port.index).then(async () => {
      process.stdout.write(`port ${port.index}  unplugged; replugging in ${REPLUG_DELAY_MS / 1000} s\n`);
      await new Promise((resolve) => setTimeout(resolve, REPLUG_DELAY_MS).unref());
      if (stopping) return;
      await simulator.restartPort(port.index);
      process.stdout.write(`port ${port.index}  ${port.stationPath}  replugged\n`);
    });
  }
  if (feed) {
    process.stdout.write(`Feeding ${feed.total} device(s) in all, ${simulator.fed()} made so far.\n`);
  }
  process.stdout.write(`Simulating ${ports} device(s) at ${baudRate} baud, state in ${stateDir}. Ctrl-C stops.\n`);
  await untilStopped();
  stopping = true;
  // socat is stopped and waited for, so no PTY links are left behind.
  await simulator.close();
}

/** --feed TOTAL [--swap-delay MS]: at least one device per port, the delay 0 or more ms. */
function feedOption(
  total: string,
  swapDelay: string | undefined,
  ports: number,
): { total: number; swapDelayMs?: number } {
  const n = positiveInteger('--feed', total);
  if (n < ports) throw new UsageError(`--feed must be at least --ports (${ports}): one device per port, got ${n}`);
  if (swapDelay === undefined) return { total: n };
  const delay = Number(swapDelay);
  if (!Number.isInteger(delay) || delay < 0) {
    throw new UsageError(`--swap-delay must be a whole number of milliseconds, got "${swapDelay}"`);
  }
  return { total: n, swapDelayMs: delay };
}

/** Simulated nRF91-style modems for the nrf91-at driver (device identify --driver nrf91-at). */
async function runModems(ports: number, baudRate: number, stateDir: string): Promise<void> {
  const simulator = await startModemSimulator({ ports, baudRate, stateDir });
  for (const port of simulator.ports) {
    process.stdout.write(`port ${port.index}  ${port.stationPath}  IMEI ${port.serialNumber}  (nrf91-at)\n`);
  }
  process.stdout.write(`Simulating ${ports} modem(s) at ${baudRate} baud, state in ${stateDir}. Ctrl-C stops.\n`);
  await untilStopped();
  await simulator.close();
}
