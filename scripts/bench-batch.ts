// Batch job benchmark: a CSV of device CSRs (100,000 rows by default) and a station-keyed job
// (10,000 rows, each key sealed as CMS EnvelopedData to an EC P-256 recipient), each run as a
// job — validated, issued, its result ZIP written — beside the issuance engine's own rate in the
// same process on the same SoftHSM2 CA. Prints rows/s, the ratio to the engine, and peak memory.
// Usage: npm run bench -- batch [--rows N] [--station-rows N]
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { openStation, type Station } from '../main/core/station';
import { toPem } from '../main/core/pki/pem';
import { benchContext, call, deviceCsrs, engineRun, setUp } from './issuance-fixtures';
import type { Job, JobOptions } from '../preload/contract';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'batch'),
  options: { rows: { type: 'string', default: '100000' }, 'station-rows': { type: 'string', default: '10000' } },
});
const rows = Number(values.rows);
const stationRows = Number(values['station-rows']);
const pin = '1234';
const dir = mkdtempSync(path.join(os.tmpdir(), 'trustline-bench-batch-'));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
const memory = () => {
  const m = process.memoryUsage();
  return `rss ${mib(m.rss)} heap ${mib(m.heapUsed)} external ${mib(m.external)}`;
};

let peakRss = 0;
/** RSS at each phase of the last job, to tell which one holds memory. */
const phases: string[] = [];
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

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
): Promise<{ validate: number; run: number; result: number; job: Job; zipBytes: number }> {
  const uploadId = await station.jobs.stageFile(file);
  phases.length = 0;
  phases.push(`before: ${memory()}`);
  const t0 = performance.now();
  const created = await call<Job>(station, 'jobs.create', {
    uploadId,
    inputName: path.basename(file),
    options: { stationKeyType: 'EC-P256', ...options },
  });
  const validated = await station.jobs.settled(created.id);
  const t1 = performance.now();
  phases.push(`after validation: ${memory()}`);
  if (validated.counts.pending !== count) throw new Error(`validation: ${JSON.stringify(validated)}`);
  await call(station, 'jobs.start', { id: created.id });
  const job = await station.jobs.settled(created.id);
  const t2 = performance.now();
  phases.push(`after the run: ${memory()}`);
  if (job.counts.done !== count) throw new Error(`run: ${JSON.stringify(job.counts)}`);
  const zip = path.join(dir, `${created.id}.zip`);
  await station.jobs.writeResult(created.id, createWriteStream(zip), benchContext);
  const t3 = performance.now();
  return {
    validate: (t1 - t0) / 1000,
    run: (t2 - t1) / 1000,
    result: (t3 - t2) / 1000,
    job,
    zipBytes: statSync(zip).size,
  };
}

console.log(
  `batch bench: ${fmt(rows)}-row CSR job and ${fmt(stationRows)}-row station-keyed CMS job, SoftHSM2 P-256 CA`,
);
const setup = await setUp(dir, pin, ['device-csr', 'station-generated']);
const csrs = deviceCsrs(512);
const csvFile = path.join(dir, 'csrs.csv');
csrCsv(csvFile, rows, csrs);
const stationFile = path.join(dir, 'station.csv');
writeFileSync(
  stationFile,
  ['device_name,attr.serial', ...Array.from({ length: stationRows }, (_, i) => `key-${i},K${i}`)].join('\n') + '\n',
);
console.log(`inputs: ${mib(statSync(csvFile).size)} CSR CSV, ${mib(statSync(stationFile).size)} station CSV`);

const station = openStation(path.join(dir, 'station'), { keyStore: { pin } });
await engineRun(station, setup.policyId, csrs, 500, 32);
const engine = await engineRun(station, setup.policyId, csrs, Math.min(rows, 20_000), 32);
console.log(`\nengine (CSR -> recorded certificate, 32 in flight): ${fmt(engine.rate)}/s   baseline`);

peakRss = process.memoryUsage().rss;
const csr = await timedJob(
  station,
  csvFile,
  { kind: 'certificates-unmanaged', policyId: setup.policyId, keySource: 'csv' },
  rows,
);
console.log(`\nCSR job, ${fmt(rows)} rows:`);
console.log(`  validate  ${csr.validate.toFixed(1)} s   ${fmt(rows / csr.validate)} rows/s`);
console.log(
  `  run       ${csr.run.toFixed(1)} s   ${fmt(rows / csr.run)} rows/s   ${(rows / csr.run / engine.rate).toFixed(2)}x engine`,
);
console.log(`  result    ${csr.result.toFixed(1)} s   ${mib(csr.zipBytes)} ZIP`);
console.log(`  memory    ${phases.join('; ')}`);
console.log(
  `  end to end ${fmt(rows / (csr.validate + csr.run))} rows/s   ${(rows / (csr.validate + csr.run) / engine.rate).toFixed(2)}x engine; peak RSS ${mib(peakRss)}`,
);

peakRss = process.memoryUsage().rss;
const keyed = await timedJob(
  station,
  stationFile,
  {
    kind: 'certificates-unmanaged',
    policyId: setup.policyId,
    keySource: 'station',
    delivery: 'cms',
    recipientPem: recipientPem(),
  },
  stationRows,
);
console.log(`\nstation-keyed CMS job, ${fmt(stationRows)} rows:`);
console.log(`  validate  ${keyed.validate.toFixed(1)} s`);
console.log(
  `  run       ${keyed.run.toFixed(1)} s   ${fmt(stationRows / keyed.run)} rows/s   ${(stationRows / keyed.run / engine.rate).toFixed(2)}x engine`,
);
console.log(`  result    ${keyed.result.toFixed(1)} s   ${mib(keyed.zipBytes)} ZIP; peak RSS ${mib(peakRss)}`);
console.log(`  memory    ${phases.join('; ')}`);

clearInterval(sampler);
await station.close();
rmSync(dir, { recursive: true, force: true });
