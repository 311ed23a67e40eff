// Line benchmark: a gang of simulated devices (default 16 ports) at 115200 baud 8N1, provisioned by
// the station's line controller the way a shift would run, with the simulator in feed mode
// (a locked device is swapped for the next one on its port, until --devices were made).
//
// The simulator runs in a CHILD process (`trustline sim --feed`), the station in this one, so
// process.cpuUsage() and process.memoryUsage() are the station's own (plus this bench's pacing
// timers). The simulated devices pace their output to the baud rate, but the station's writes on
// a PTY would leave at memory speed: each port the station opens is wrapped so its writes leave
// no faster than a UART sends them (createPacedOutput, as in bench-device-link.ts). Both
// directions thus run at wire speed, and the link-limited ideal below is a real bound.
//
// Figures (no timing is asserted):
//   - devices per hour, measured on the wall clock (whole run, and a steady-state window that
//     leaves out the first and last gang of devices);
//   - the link-limited ideal from the bytes actually exchanged (the line's per-port counters,
//     both directions, 10 bit times per byte): ideal/h = ports × 3600 / wire seconds per device,
//     and measured / ideal (target ≥ 0.85);
//   - station CPU ms per device;
//   - memory (rss, heapUsed after a full GC) at about 1,000 / 5,000 / 10,000 devices, with the
//     growth between samples (it must not grow with the count).
// Usage: npm run bench -- line [--devices 10000] [--ports 16] [--poll-ms 150] [--swap-delay 0]
//        [--take-away on-lock|when-done]  (when-done: boards leave as an operator takes them, after
//        the station polled on; on-lock, the default: a handler takes each board as it locks)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { CallInput, CallName, CallOutput } from '../preload/contract';
import { fullAccessContext } from '../main/core/api/call-context';
import { openSerialPort } from '../main/core/device/transports/serial-port';
import type { DeviceResult } from '../main/core/line/line-controller';
import { openStation, type Station } from '../main/core/station';
import { pacedStationLink } from './paced-station-link';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'line'),
  options: {
    devices: { type: 'string', default: '10000' },
    ports: { type: 'string', default: '16' },
    'poll-ms': { type: 'string', default: '150' },
    'swap-delay': { type: 'string', default: '0' },
    // A handler takes each board the moment it locks: the station's pace, not an operator's, is measured.
    'take-away': { type: 'string', default: 'on-lock' },
  },
});
const BAUD = 115200;
const BITS_PER_BYTE = 10; // 8N1
const TARGET = 0.85;
const devices = Number(values.devices);
const ports = Number(values.ports);
const pollMs = Number(values['poll-ms']);
const swapDelayMs = Number(values['swap-delay']);
if (!Number.isInteger(ports) || ports < 1 || ports > 64) throw new Error('--ports must be 1..64');
if (!Number.isInteger(devices) || devices < ports) throw new Error('--devices must be a whole number ≥ --ports');
if (!(pollMs >= 1) || !Number.isInteger(swapDelayMs) || swapDelayMs < 0) {
  throw new Error('--poll-ms must be ≥ 1 and --swap-delay a whole number ≥ 0');
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ctx = fullAccessContext('bench');
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const signedMib = (bytes: number) => `${bytes >= 0 ? '+' : '−'}${(Math.abs(bytes) / 1048576).toFixed(1)} MiB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const progress = (line: string) => process.stderr.write(`[bench line] ${line}\n`);

/** A full GC before each memory sample; without --expose-gc the flag is set at run time. */
function findGc(): { gc: () => void; how: string } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return { gc: exposed, how: '--expose-gc' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc === 'function') return { gc, how: 'exposed at run time (v8.setFlagsFromString)' };
  } catch {
    // fall through
  }
  return { gc: () => undefined, how: 'NOT available: heap figures include garbage' };
}

async function call<N extends CallName>(station: Station, name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const result = await station.dispatch(name, input, ctx);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`);
  return result.value as CallOutput<N>;
}

/** A root and issuing CA in the key store, a TLS-client policy, a group and a recipe over the ports. */
async function setUpRecipe(station: Station, portPaths: string[]): Promise<string> {
  const rootCa = await call(station, 'cas.createRoot', {
    name: 'Bench Root',
    subject: { commonName: 'Bench Root', organization: 'Acme' },
    algorithm: 'EC-P256',
  });
  const issuing = await call(station, 'cas.createIssuing', {
    name: 'Bench Issuing',
    subject: { commonName: 'Bench Issuing', organization: 'Acme' },
    algorithm: 'EC-P256',
    signWithCaId: rootCa.id,
  });
  const policy = await call(station, 'policies.create', {
    preset: 'tls-client',
    body: { name: 'Bench devices', issuingCaId: issuing.ca.id, keyGeneration: ['device-csr', 'station-generated'] },
  });
  const group = await call(station, 'deviceGroups.create', { name: 'Bench line' });
  const recipe = await call(station, 'recipes.create', {
    name: 'Bench sensor',
    groupId: group.id,
    policyId: policy.id,
    ports: portPaths,
    baudRate: BAUD,
  });
  return recipe.id;
}

interface Simulator {
  child: ChildProcess;
  portPaths: string[];
  /** The child's CPU seconds so far (Linux /proc), or null elsewhere. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** `trustline sim --feed` in a child process; resolves once it printed its ports. */
async function startSimulatorChild(stateDir: string): Promise<Simulator> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'main/cli/trustline.ts'),
      'sim',
      '--ports',
      String(ports),
      '--baud',
      String(BAUD),
      '--feed',
      String(devices),
      '--swap-delay',
      String(swapDelayMs),
      '--take-away',
      String(values['take-away']),
      '--state',
      stateDir,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const portPaths: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}) before it was ready:\n${stderr}`));
    });
    lines.on('line', (line) => {
      // "port P  PATH  SERIAL" at start; "port P  next device X" lines follow on every swap.
      const match = /^port (\d+)\s{2}(\/\S+)\s{2}/.exec(line);
      if (match) portPaths[Number(match[1]) - 1] = match[2]!;
      if (line.startsWith('Simulating')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  if (portPaths.length !== ports || portPaths.some((p) => !p)) throw new Error('simulator did not list every port');
  const ticks = 100; // USER_HZ on Linux
  return {
    child,
    portPaths,
    cpuSeconds() {
      try {
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / ticks;
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killed);
      }
      lines.close();
    },
  };
}

interface Mark {
  count: number;
  at: number;
  cpu: NodeJS.CpuUsage;
  wireBytes: number;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-line-'));
const { gc, how: gcHow } = findGc();
let simulator: Simulator | null = null;
let station: Station | null = null;
let lineRunning = false;
try {
  simulator = await startSimulatorChild(path.join(dir, 'sim'));
  station = openStation(path.join(dir, 'station'), {
    keyStore: { pin: '1234' },
    line: {
      pollMs,
      openLink: async (portPath, baudRate) => pacedStationLink(await openSerialPort(portPath, { baudRate }), BAUD),
    },
  });
  const s = station;
  const recipeId = await setUpRecipe(s, simulator.portPaths);
  const keyStore = s.keys.status();

  const wireBytes = () => s.line.linkCounters().reduce((sum, c) => sum + c.bytesIn + c.bytesOut, 0);
  const mark = (count: number): Mark => ({
    count,
    at: performance.now(),
    cpu: process.cpuUsage(),
    wireBytes: wireBytes(),
  });
  // Memory samples at 1,000 / 5,000 / 10,000 devices (scaled down for a shorter run).
  const sampleAt = [...new Set([0.1, 0.5, 1].map((f) => Math.max(1, Math.round(devices * f))))];
  const memory: Array<{ count: number; rss: number; heapUsed: number }> = [];
  // Steady state: from the end of the first gang of devices to the start of the last one.
  const warmUp = Math.min(ports * 2, Math.floor(devices / 4));
  const coolDown = Math.max(warmUp + 1, devices - ports);
  const durations: number[] = [];
  let passed = 0;
  let failed = 0;
  let finished = 0;
  let steadyFrom: Mark | null = null;
  let steadyTo: Mark | null = null;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const failures = new Map<string, number>();

  const onDevice = (result: DeviceResult) => {
    if (result.outcome.kind === 'pass' && result.outcome.alreadyProvisioned) return;
    finished++;
    if (result.outcome.kind === 'pass') passed++;
    else {
      failed++;
      const code = result.outcome.failure.code;
      failures.set(code, (failures.get(code) ?? 0) + 1);
    }
    durations.push(result.durationMs);
    if (finished === warmUp) steadyFrom = mark(finished);
    if (finished === coolDown) steadyTo = mark(finished);
    if (sampleAt.includes(finished)) {
      const count = finished;
      // Sampled outside the listener, after a full collection.
      setImmediate(() => {
        gc();
        const usage = process.memoryUsage();
        memory.push({ count, rss: usage.rss, heapUsed: usage.heapUsed });
      });
    }
    if (finished >= devices) allDone();
  };
  s.line.onDevice(onDevice);

  console.log(
    `line bench: ${ports} ports at ${fmt(BAUD)} baud 8N1 (both directions paced), ${fmt(devices)} devices from the simulator's feed (child process)`,
  );
  console.log(
    `station IDENTIFY poll ${pollMs} ms, simulator swap delay ${swapDelayMs} ms, boards taken ${values['take-away']}; key store: ${keyStore.kind} — ${keyStore.description}`,
  );
  console.log(
    `memory samples after GC: ${gcHow}; Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
  );

  gc();
  const before = process.memoryUsage();
  const start = mark(0);
  // The station is one event loop for all ports: synchronous work (SQLite commits with fsync,
  // PKCS#11 calls) delays every port's pacing and replies; this shows by how much.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  await s.line.start({ recipeId, lot: 'BENCH' }, ctx);
  lineRunning = true;
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - start.at) / 1000;
    const rate = finished / elapsed;
    const eta = rate > 0 ? (devices - finished) / rate : NaN;
    progress(
      `${fmt(finished)}/${fmt(devices)} devices (${failed} failed) in ${elapsed.toFixed(0)} s, ` +
        `${fmt(rate * 3600)}/h, rss ${mib(process.memoryUsage().rss)}, ETA ${Number.isNaN(eta) ? '?' : `${eta.toFixed(0)} s`}`,
    );
  }, 5_000);
  // A stalled line (nothing finished for 2 minutes) ends the bench instead of hanging it.
  let lastCount = -1;
  let lastChange = performance.now();
  const stallCheck = setInterval(() => {
    if (finished !== lastCount) {
      lastCount = finished;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > 120_000) {
      progress(`no device finished for 2 minutes; stopping at ${finished}`);
      allDone();
    }
  }, 5_000);
  await done;
  const end = mark(finished);
  loopDelay.disable();
  clearInterval(ticker);
  clearInterval(stallCheck);
  await new Promise((resolve) => setImmediate(resolve)); // the last memory sample
  const simCpu = simulator.cpuSeconds();
  await s.line.stop(ctx);
  lineRunning = false;

  const report = (label: string, from: Mark, to: Mark) => {
    const count = to.count - from.count;
    const seconds = (to.at - from.at) / 1000;
    const measured = (count * 3600) / seconds;
    const wireSecondsPerDevice = ((to.wireBytes - from.wireBytes) * BITS_PER_BYTE) / BAUD / count;
    const ideal = (ports * 3600) / wireSecondsPerDevice;
    const ratio = measured / ideal;
    const cpuMs = (to.cpu.user - from.cpu.user + to.cpu.system - from.cpu.system) / 1000;
    console.log(`\n${label}: ${fmt(count)} devices in ${seconds.toFixed(1)} s`);
    console.log(`    measured      ${fmt(measured).padStart(9)} devices/h`);
    console.log(
      `    link ideal    ${fmt(ideal).padStart(9)} devices/h  (${fmt((to.wireBytes - from.wireBytes) / count)} B/device both ways = ${(wireSecondsPerDevice * 1000).toFixed(0)} ms of wire per device)`,
    );
    console.log(
      `    ratio         ${ratio.toFixed(3).padStart(9)}  (target ≥ ${TARGET}: ${ratio >= TARGET ? 'MET' : 'BELOW TARGET'})`,
    );
    console.log(
      `    station CPU   ${(cpuMs / count).toFixed(1).padStart(9)} ms/device  (${((cpuMs / 1000 / seconds) * 100).toFixed(0)} % of one core)`,
    );
    return { seconds, count, wireSecondsPerDevice };
  };

  console.log(
    `\nresults: ${fmt(passed)} passed, ${fmt(failed)} failed${failed ? ` (${[...failures].map(([c, n]) => `${c} ×${n}`).join(', ')})` : ''}`,
  );
  const whole = report('whole run (line start → last device finished)', start, end);
  if (steadyFrom && steadyTo) {
    report(`steady state (devices ${fmt(warmUp + 1)}..${fmt(coolDown)})`, steadyFrom, steadyTo);
  }
  // Where the time goes on one port: the device's flow (detected → PASS) against its cycle.
  const cycleMs = (whole.seconds * 1000 * ports) / whole.count;
  const flowMs = median(durations);
  console.log(`\nper port: one device every ${fmt(cycleMs)} ms (wall × ports / devices)`);
  console.log(
    `    flow detected → done: median ${fmt(flowMs)} ms (min ${fmt(Math.min(...durations))}, max ${fmt(Math.max(...durations))}); ` +
      `the rest (~${fmt(cycleMs - flowMs)} ms) is the turnaround: ${values['take-away'] === 'on-lock' ? 'swap at lock, detection' : '3 IDENTIFYs while locked, swap, detection'}`,
  );
  console.log(
    `    wire time per device ${fmt(whole.wireSecondsPerDevice * 1000)} ms = ${(((whole.wireSecondsPerDevice * 1000) / cycleMs) * 100).toFixed(0)} % of the cycle`,
  );
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `station event-loop delay: mean ${ms(loopDelay.mean)} ms, p50 ${ms(loopDelay.percentile(50))} ms, ` +
      `p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms (10 ms resolution timer)`,
  );
  if (simCpu !== null) {
    console.log(
      `simulator child CPU: ${fmt(simCpu, 1)} s in all (${((simCpu / whole.seconds) * 100).toFixed(0)} % of one core), ${((simCpu * 1000) / whole.count).toFixed(1)} ms/device`,
    );
  }

  console.log(
    `\nmemory (station process, after GC): before the run rss ${mib(before.rss)}, heapUsed ${mib(before.heapUsed)}`,
  );
  let previous: { count: number; rss: number; heapUsed: number } | null = null;
  for (const sample of memory.sort((a, b) => a.count - b.count)) {
    const growth = previous
      ? `   growth since ${fmt(previous.count)}: rss ${signedMib(sample.rss - previous.rss)}, heapUsed ${signedMib(sample.heapUsed - previous.heapUsed)}` +
        ` (${fmt(((sample.heapUsed - previous.heapUsed) / (sample.count - previous.count)) | 0)} B/device)`
      : '';
    console.log(
      `    after ${fmt(sample.count).padStart(6)} devices: rss ${mib(sample.rss)}, heapUsed ${mib(sample.heapUsed)}${growth}`,
    );
    previous = sample;
  }
} finally {
  if (station && lineRunning) await station.line.stop(ctx).catch(() => undefined);
  await station?.close().catch((error: unknown) => progress(`closing the station: ${String(error)}`));
  await simulator?.stop();
  rmSync(dir, { recursive: true, force: true });
}
