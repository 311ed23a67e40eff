// Batch job benchmark: a CSV of device CSRs (100,000 rows by default) and a station-keyed job
// (10,000 rows, each key sealed as CMS EnvelopedData to an EC P-256 recipient), each run as a
// job — validated, issued, its result ZIP written — beside the issuance engine's own rate on the
// same SoftHSM2 CA in the same invocation: the engine before the jobs, between them and after
// them; the fastest is the baseline, and each job is also set against the runs on either side of
// it. The engine's runs and the jobs each run in a child process of their own, one after the
// other, so the jobs' memory is the jobs' own (not the heap the engine's run left behind), all
// from the station bundled as it ships. Every child warms the station it opens with the same 500
// certificates before it measures anything (see openWarmStation). Prints rows/s, the ratio to
// the engine, the CPU time per row (every thread of the process), the RSS before the jobs and the
// peak; and how fast a job reads a CSV beside papaparse on the whole text in memory, and a
// register-devices job of as many rows as the CSR job (no baseline: no certificates).
// Usage: npm run bench -- batch [--rows N] [--station-rows N] [--cpu-prof DIR]
import { build as esbuild } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStation, type Station } from '../main/core/station';
import { toPem } from '../main/core/pki/pem';
import { runConcurrency } from '../main/core/jobs/job-runner';
import { readCsvRecords } from '../main/core/jobs/csv-rows';
import Papa from 'papaparse';
import { benchContext, call, deviceCsrs, engineRun, setUp } from './issuance-fixtures';
import type { Job, JobOptions } from '../preload/contract';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'batch'),
  options: {
    rows: { type: 'string', default: '100000' },
    'station-rows': { type: 'string', default: '10000' },
    /** A folder for each child's CPU profile (open them in Chrome's DevTools). */
    'cpu-prof': { type: 'string' },
    // Internal: what a child process runs, and where the parent prepared everything.
    child: { type: 'string' },
    dir: { type: 'string' },
    'policy-id': { type: 'string' },
  },
});
const rows = Number(values.rows);
const stationRows = Number(values['station-rows']);
const pin = '1234';
const dir = values.dir ?? mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-batch-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
const memory = (m = process.memoryUsage()) =>
  `rss ${mib(m.rss)} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} external ${mib(m.external)}`;

let peakRss = 0;
/**
 * The reading with the highest RSS since the last phase ended: its heap beside it tells whether
 * the peak is the main thread's JavaScript heap or memory outside it (other threads, malloc).
 */
let phasePeak = process.memoryUsage();
const phaseEnd = (name: string) => {
  phases.push(`${name}: ${memory()}, peak during it ${memory(phasePeak)}`);
  phasePeak = process.memoryUsage();
};
/** CPU time of every thread of this process between two readings, in µs. */
const cpuMicros = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage) => to.user - from.user + (to.system - from.system);
/** RSS at each phase of the last job, to tell which one holds memory. */
const phases: string[] = [];

function csrCsv(file: string, count: number, csrs: Buffer[]): void {
  const out: string[] = ['device_name,csr,attr.serial\n'];
  const pems = csrs.map((der) => toPem('CERTIFICATE REQUEST', der).trim());
  for (let i = 0; i < count; i += 1) out.push(`dev-${i},"${pems[i % pems.length]}",SN${i}\n`);
  writeFileSync(file, out.join(''));
}

/** A self-signed EC P-256 recipient certificate (the factory's key-escrow certificate), made by openssl. */
function recipientPem(): string {
  const keyFile = path.join(dir, 'recipient.key');
  const certFile = path.join(dir, 'recipient.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=Key recipient',
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(certFile, 'utf8');
}

async function timedJob(
  station: Station,
  file: string,
  options: Partial<JobOptions> & Pick<JobOptions, 'kind'>,
  count: number,
): Promise<{
  validate: number;
  run: number;
  cpuValidate: number;
  cpuRun: number;
  result: number;
  job: Job;
  zipBytes: number;
  zip: string;
}> {
  const uploadId = await station.jobs.stageFile(file);
  phases.length = 0;
  phases.push(`before: ${memory()}`);
  phasePeak = process.memoryUsage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const created = await call<Job>(station, 'jobs.create', {
    uploadId,
    inputName: path.basename(file),
    options: { stationKeyType: 'EC-P256', ...options },
  });
  const validated = await station.jobs.settled(created.id);
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  phaseEnd('after validation');
  if (validated.counts.pending !== count) throw new Error(`validation: ${JSON.stringify(validated)}`);
  await call(station, 'jobs.start', { id: created.id });
  const job = await station.jobs.settled(created.id);
  const t2 = performance.now();
  const cpu2 = process.cpuUsage();
  phaseEnd('after the run');
  if (job.counts.done !== count) throw new Error(`run: ${JSON.stringify(job.counts)}`);
  const zip = path.join(dir, `${created.id}.zip`);
  await station.jobs.writeResult(created.id, createWriteStream(zip), benchContext);
  const t3 = performance.now();
  phaseEnd('after the result');
  return {
    validate: (t1 - t0) / 1000,
    run: (t2 - t1) / 1000,
    cpuValidate: cpuMicros(cpu0, cpu1) / count,
    cpuRun: cpuMicros(cpu1, cpu2) / count,
    result: (t3 - t2) / 1000,
    job,
    zipBytes: statSync(zip).size,
    zip,
  };
}

const csrsFile = path.join(dir, 'csrs.b64');
const csvFile = path.join(dir, 'csrs.csv');
const stationFile = path.join(dir, 'station.csv');
/** A device list as "Register multiple devices" takes it: short unquoted rows. */
const devicesFile = path.join(dir, 'devices.csv');
const recipientFile = path.join(dir, 'recipient.pem');

/**
 * This script bundled as scripts/build.mjs bundles the station (esbuild, packages left to
 * node_modules), with its worker threads' files beside it: the children measure the station as it
 * ships, run by plain node, not through tsx, whose loader threads and compiler would be counted
 * in their memory. Written under node_modules/.cache so that the packages resolve.
 */
async function bundleForChildren(): Promise<string> {
  const out = path.resolve('node_modules/.cache/trustline-bench');
  rmSync(out, { recursive: true, force: true });
  const workers = JSON.parse(readFileSync('scripts/worker-entries.json', 'utf8')) as string[];
  await esbuild({
    entryPoints: [fileURLToPath(import.meta.url), ...workers],
    outdir: out,
    entryNames: '[name]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  // Inside node_modules no package.json above says "module": say it beside the files.
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  return path.join(out, `${path.basename(fileURLToPath(import.meta.url), '.ts')}.js`);
}

/**
 * Seconds to stream `file`'s records as a job reads them, and papaparse's own time for the whole
 * text already in memory (the baseline: what parsing costs without streaming).
 */
async function csvReadTimes(file: string): Promise<{ streamed: number; whole: number; records: number }> {
  const t0 = performance.now();
  let records = 0;
  for await (const record of readCsvRecords(file)) records += record.fields.length > 0 ? 1 : 0;
  const t1 = performance.now();
  const parsed = Papa.parse<string[]>(readFileSync(file, 'utf8'), { delimiter: ',', newline: '\n' });
  const t2 = performance.now();
  if (parsed.data.filter((row) => row.length > 1).length !== records) throw new Error(`${file}: records differ`);
  return { streamed: (t1 - t0) / 1000, whole: (t2 - t1) / 1000, records };
}

/** Fails the bench unless `zip` tests clean with unzip and holds `entries` files. */
function checkResult(zip: string, entries: number): void {
  execFileSync('unzip', ['-tq', zip], { stdio: 'ignore' });
  const listed = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const count = listed.trim().split('\n').length;
  if (count !== entries) throw new Error(`${zip} holds ${count} files, not ${entries}`);
}

/**
 * Runs the bundled script as `child`, waits for it, and returns the last thing it sent back. When
 * the child asks for it (a message `{ pause: true }`), `meanwhile` runs and the child is then told
 * to go on: the jobs child waits between its two jobs while the engine is measured.
 */
async function runChild<T>(
  bundle: string,
  child: string,
  policyId: string,
  meanwhile?: () => Promise<void>,
): Promise<T> {
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : [];
  const args = [...profile, bundle, '--child', child, '--dir', dir];
  args.push('--policy-id', policyId, '--rows', String(rows), '--station-rows', String(stationRows));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let result: T | undefined;
  let failed: unknown = null;
  proc.on('message', (message: T | { pause: true }) => {
    if (typeof message === 'object' && message !== null && 'pause' in message) {
      (meanwhile ?? (() => Promise.resolve()))().then(
        () => proc.send('go on'),
        (error: unknown) => {
          failed = error;
          proc.kill();
        },
      );
    } else result = message;
  });
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (failed) throw failed;
  if (code !== 0 || result === undefined) throw new Error(`the ${child} run failed (exit ${code})`);
  return result;
}

/** The device CSRs the parent wrote, one base64 DER per line. */
const benchCsrs = (): Buffer[] =>
  readFileSync(csrsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => Buffer.from(line, 'base64'));

/**
 * Opens the station and issues `warmUpCertificates` through the engine before anything is
 * measured, in the engine's children and the jobs' alike: a station just opened starts its
 * signing threads, its recorder and its compiled code with the first certificates, and a station
 * on a line has long since done that (a 500-row station-keyed job on a station just opened cost
 * 2,180 µs of CPU per row, the 10,000 rows after it ~740 µs). What a job starts for itself (its
 * key thread, its check threads) is not warmed: the job pays for it.
 */
const warmUpCertificates = 500;
async function openWarmStation(policyId: string, csrs: Buffer[]): Promise<Station> {
  const station = openStation(path.join(dir, 'station'), { keyStore: { pin } });
  await engineRun(station, policyId, csrs, warmUpCertificates, 32);
  return station;
}

if (values.child === 'engine') {
  const csrs = benchCsrs();
  const policyId = values['policy-id'] as string;
  const station = await openWarmStation(policyId, csrs);
  // At 32 in flight (what a caller of the engine would pick) and at the jobs' own number: the
  // faster is the engine's rate, so a job never gains by keeping more requests in flight.
  const runs = [];
  for (const inFlight of [...new Set([32, runConcurrency])]) {
    const run = await engineRun(station, policyId, csrs, Math.min(rows, 20_000), inFlight);
    runs.push({ inFlight, rate: run.rate, cpuPerRow: run.cpuPerItem, peakRss: run.peakRss });
  }
  await station.close();
  const best = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
  process.send?.({ ...best, runs });
} else if (values.child === 'jobs') {
  const policyId = values['policy-id'] as string;
  const csrs = benchCsrs();
  let station = await openWarmStation(policyId, csrs);
  const sampler = setInterval(() => {
    const reading = process.memoryUsage();
    peakRss = Math.max(peakRss, reading.rss);
    if (reading.rss > phasePeak.rss) phasePeak = reading;
  }, 50);
  const beforeRss = process.memoryUsage().rss;
  peakRss = beforeRss;
  const csr = await timedJob(station, csvFile, { kind: 'certificates-unmanaged', policyId, keySource: 'csv' }, rows);
  const csrPeak = peakRss;
  const csrPhases = [...phases];
  // The engine is measured between the jobs, on the station this process lets go of meanwhile.
  await station.close();
  const goOn = new Promise((resolve) => process.once('message', resolve));
  process.send?.({ pause: true });
  await goOn;
  station = await openWarmStation(policyId, csrs);
  peakRss = process.memoryUsage().rss;
  const keyed = await timedJob(
    station,
    stationFile,
    {
      kind: 'certificates-unmanaged',
      policyId,
      keySource: 'station',
      delivery: 'cms',
      recipientPem: readFileSync(recipientFile, 'utf8'),
    },
    stationRows,
  );
  const keyedPeak = peakRss;
  const keyedPhases = [...phases];
  peakRss = process.memoryUsage().rss;
  const group = await call<{ id: string }>(station, 'deviceGroups.create', { name: 'Bench devices' });
  const register = await timedJob(station, devicesFile, { kind: 'register-devices', groupId: group.id }, rows);
  clearInterval(sampler);
  const times = (t: typeof csr) => ({
    validate: t.validate,
    run: t.run,
    cpuValidate: t.cpuValidate,
    cpuRun: t.cpuRun,
    result: t.result,
    zipBytes: t.zipBytes,
    zip: t.zip,
  });
  process.send?.({
    csr: { ...times(csr), peakRss: csrPeak, phases: csrPhases },
    keyed: { ...times(keyed), peakRss: keyedPeak, phases: keyedPhases },
    register: { ...times(register), peakRss, phases: [...phases] },
    beforeRss,
  });
  await station.close();
} else {
  console.log(
    `batch bench: ${fmt(rows)}-row CSR job and ${fmt(stationRows)}-row station-keyed CMS job, SoftHSM2 P-256 CA`,
  );
  const setup = await setUp(dir, pin, ['device-csr', 'station-generated']);
  const csrs = deviceCsrs(512);
  writeFileSync(csrsFile, csrs.map((der) => der.toString('base64')).join('\n') + '\n');
  csrCsv(csvFile, rows, csrs);
  writeFileSync(
    stationFile,
    ['device_name,attr.serial', ...Array.from({ length: stationRows }, (_, i) => `key-${i},K${i}`)].join('\n') + '\n',
  );
  writeFileSync(recipientFile, recipientPem());
  console.log(`inputs: ${mib(statSync(csvFile).size)} CSR CSV, ${mib(statSync(stationFile).size)} station CSV`);
  writeFileSync(
    devicesFile,
    ['device_name,description,attr.serial', ...Array.from({ length: rows }, (_, i) => `dev-${i},Line 3,SN${i}`)].join(
      '\n',
    ) + '\n',
  );
  for (const [name, file] of [
    ['device list', devicesFile],
    ['CSR', csvFile],
  ] as const) {
    const read = await csvReadTimes(file);
    console.log(
      `csv reading, ${name} (${fmt(read.records)} records, ${mib(statSync(file).size)}): streamed ${read.streamed.toFixed(2)} s, ` +
        `papaparse on the whole text in memory ${read.whole.toFixed(2)} s (${(read.whole / read.streamed).toFixed(2)}x)`,
    );
  }

  const bundle = await bundleForChildren();
  type EngineMeasure = { inFlight: number; rate: number; cpuPerRow: number; peakRss: number };
  type EngineRun = EngineMeasure & { runs: EngineMeasure[] };
  const engineBefore = await runChild<EngineRun>(bundle, 'engine', setup.policyId);
  const cpu = (micros: number) => `CPU ${fmt(micros)} µs/row`;

  type Timed = {
    validate: number;
    run: number;
    cpuValidate: number;
    cpuRun: number;
    result: number;
    zipBytes: number;
    zip: string;
    peakRss: number;
    phases: string[];
  };
  let engineBetween: EngineRun | undefined;
  const jobs = await runChild<{ csr: Timed; keyed: Timed; register: Timed; beforeRss: number }>(
    bundle,
    'jobs',
    setup.policyId,
    async () => {
      engineBetween = await runChild<EngineRun>(bundle, 'engine', setup.policyId);
    },
  );
  const { csr, keyed, register } = jobs;
  const engineAfter = await runChild<EngineRun>(bundle, 'engine', setup.policyId);
  if (!engineBetween) throw new Error('the engine was not measured between the jobs');
  const measured = [engineBefore, engineBetween, engineAfter];
  // The goal's baseline is the fastest engine run of the three: a slow moment of a shared
  // machine during one engine run must not flatter the jobs. Beside it, each job is also set
  // against the engine runs on either side of it, the same minutes of the same machine: when the
  // two ratios differ much, the machine's speed moved during the bench.
  const engine = measured.reduce((a, b) => (b.rate > a.rate ? b : a));
  const around = (x: EngineRun, y: EngineRun) => (x.rate + y.rate) / 2;
  const csrAround = around(engineBefore, engineBetween);
  const keyedAround = around(engineBetween, engineAfter);
  const describeEngine = (best: EngineRun) =>
    best.runs
      .map(
        (run) =>
          `${run.inFlight} in flight ${fmt(run.rate)}/s (CPU ${fmt(run.cpuPerRow)} µs/row, peak RSS ${mib(run.peakRss)})`,
      )
      .join(', ');
  console.log(
    `\nengine (CSR -> recorded certificate, its own process; the jobs keep ${runConcurrency} in flight):\n` +
      `  before the jobs ${describeEngine(engineBefore)}\n  between them ${describeEngine(engineBetween)}\n` +
      `  after them ${describeEngine(engineAfter)}\n` +
      `  baseline the fastest, ${fmt(engine.rate)}/s (${engine.inFlight} in flight); ` +
      `around the CSR job ${fmt(csrAround)}/s, around the station-keyed job ${fmt(keyedAround)}/s`,
  );
  /** "0.85x engine (0.90x the engine around it)" */
  const ratios = (rate: number, aroundRate: number) =>
    `${(rate / engine.rate).toFixed(2)}x engine (${(rate / aroundRate).toFixed(2)}x the engine around it)`;
  console.log(
    `\njobs (a fresh process; the station open and warmed with ${warmUpCertificates} certificates, ` +
      `RSS ${mib(jobs.beforeRss)} before the first job)`,
  );
  console.log(`\nCSR job, ${fmt(rows)} rows:`);
  console.log(
    `  validate  ${csr.validate.toFixed(1)} s   ${fmt(rows / csr.validate)} rows/s   ${cpu(csr.cpuValidate)}`,
  );
  console.log(
    `  run       ${csr.run.toFixed(1)} s   ${fmt(rows / csr.run)} rows/s   ${ratios(rows / csr.run, csrAround)}   ${cpu(csr.cpuRun)}`,
  );
  console.log(`  result    ${csr.result.toFixed(1)} s   ${mib(csr.zipBytes)} ZIP`);
  console.log(`  memory    ${csr.phases.join('; ')}`);
  console.log(
    `  end to end ${fmt(rows / (csr.validate + csr.run))} rows/s   ${ratios(rows / (csr.validate + csr.run), csrAround)}; peak RSS ${mib(csr.peakRss)}`,
  );
  console.log(`\nstation-keyed CMS job, ${fmt(stationRows)} rows:`);
  console.log(`  validate  ${keyed.validate.toFixed(1)} s   ${cpu(keyed.cpuValidate)}`);
  console.log(
    `  run       ${keyed.run.toFixed(1)} s   ${fmt(stationRows / keyed.run)} rows/s   ${ratios(stationRows / keyed.run, keyedAround)}   ${cpu(keyed.cpuRun)}`,
  );
  console.log(`  result    ${keyed.result.toFixed(1)} s   ${mib(keyed.zipBytes)} ZIP; peak RSS ${mib(keyed.peakRss)}`);
  console.log(`  memory    ${keyed.phases.join('; ')}`);
  console.log(`\nregister-devices job, ${fmt(rows)} rows (no certificates):`);
  console.log(
    `  validate  ${register.validate.toFixed(1)} s   ${fmt(rows / register.validate)} rows/s   ${cpu(register.cpuValidate)}`,
  );
  console.log(
    `  run       ${register.run.toFixed(1)} s   ${fmt(rows / register.run)} devices/s   ${cpu(register.cpuRun)}; peak RSS ${mib(register.peakRss)}`,
  );
  console.log(`  memory    ${register.phases.join('; ')}`);
  const peak = Math.max(csr.peakRss, keyed.peakRss, register.peakRss);
  console.log(
    `\nRSS before the jobs ${mib(jobs.beforeRss)}, peak ${mib(peak)} = ${Math.round(peak / 1e6)} MB (jobs process)`,
  );
  // The figures count only if the results are whole: unzip inflates every entry and checks its CRC.
  checkResult(csr.zip, rows * 2 + 2);
  checkResult(keyed.zip, stationRows * 3 + 2);
  console.log("results checked: unzip -t finds no error; each holds every row's files");
  rmSync(dir, { recursive: true, force: true });
}
