import { accessSync, constants, createWriteStream, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  type DeviceGroup,
  type Job,
  type JobKeySource,
  type JobKind,
  jobKeySources,
  jobKinds,
  type JobOptions,
  resultPasscodeBounds,
  resultPasscodeSchema,
  type StationKeyType,
  stationKeyTypes,
} from '../../preload/contract';
import type { CallContext } from '../core/api/call-context';
import type { Station } from '../core/station';
import { dataOptions, keyStoreFlags, keyStoreOptions, withLocalStation } from './local-station';
import { exitCodes, printList, printResult, resolveNamed, unwrap, UsageError } from './output';
import { readSecretFile, secretFromFileOrEnv } from './password-input';
import { resolvePolicy } from './policy-command';

export const jobUsage = `trustline job template --kind KIND [--policy NAME] [--key-source csv|zip|station] --out FILE.csv
trustline job run --kind register-devices|certificates-managed|certificates-unmanaged --input FILE --out RESULT.zip
    [--group NAME] [--policy NAME] [--key-source csv|zip|station] [--key-type EC-P256|EC-P384|RSA-2048]
    [--recipient CERT.pem | --passcode-file FILE] [--result-passcode-file FILE] [--skip-invalid] [--pin-file FILE] [--json]
trustline job list [--json]
trustline job show --id ID [--json]
trustline job resume --id ID --out RESULT.zip [--passcode-file FILE] [--result-passcode-file FILE] [--skip-invalid] [--pin-file FILE] [--json]
trustline job result --id ID --out RESULT.zip [--result-passcode-file FILE] [--json]
trustline job cancel --id ID [--json]
  (keys come from the CSV, or a .zip of CSR files; --recipient seals station-made keys to that certificate
   as CMS, --passcode-file (first line) or $TRUSTLINE_JOB_PASSCODE puts them in PKCS#12 files;
   --result-passcode-file (first line) or $TRUSTLINE_RESULT_PASSCODE writes the result as CMS under that
   passcode (8-128 characters), opened with
   openssl cms -decrypt -binary -inform DER -in RESULT.zip.p7m -pwri_password PASS -out RESULT.zip)`;

/** Where a PKCS#12 passcode may come from besides --passcode-file. */
const passcodeEnv = 'TRUSTLINE_JOB_PASSCODE';

/** Where the result's passcode may come from besides --result-passcode-file. */
const resultPasscodeEnv = 'TRUSTLINE_RESULT_PASSCODE';

/** How often progress is printed: often enough to see it move, rarely enough to read. */
const progressEveryMs = 1000;

const problemsPageSize = 1000;

function oneOf<T extends string>(flag: string, given: string | undefined, allowed: readonly T[]): T | undefined {
  if (given === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(given)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${given}"`);
  }
  return given as T;
}

/** Fails before any work when a file cannot be read, or a result could not be written at the end. */
function checkReadable(flag: string, file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new UsageError(`cannot read the file given to ${flag}: ${file}`);
  }
}

function checkWritableFolder(flag: string, file: string): void {
  try {
    accessSync(path.dirname(path.resolve(file)), constants.W_OK);
  } catch {
    throw new UsageError(`cannot write the file given to ${flag}: ${file} (does its folder exist?)`);
  }
}

/** The passcode from its file, else from the environment; undefined when neither gives one. */
function passcodeFrom(file: string | undefined): string | undefined {
  if (file !== undefined) return readSecretFile('--passcode-file', file);
  const fromEnv = process.env[passcodeEnv];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/**
 * The result passcode from --result-passcode-file or $TRUSTLINE_RESULT_PASSCODE, checked now:
 * a run must not find out after hours of work that its result cannot be written.
 */
function resultPasscodeFrom(file: string | undefined): string | undefined {
  const passcode = secretFromFileOrEnv('--result-passcode-file', file, resultPasscodeEnv);
  if (passcode !== undefined && !resultPasscodeSchema.safeParse(passcode).success) {
    throw new UsageError(
      `the result passcode must be ${resultPasscodeBounds.min} to ${resultPasscodeBounds.max} characters long`,
    );
  }
  return passcode;
}

const missingPasscode = `station-made keys delivered as PKCS#12 need a passcode: --passcode-file FILE or $${passcodeEnv}`;

/** A name from a CSV shown on one line: newlines and other control characters escaped. */
function printable(name: string): string {
  return /\p{Cc}/u.test(name) ? JSON.stringify(name) : name;
}

function minutesSeconds(seconds: number): string {
  const whole = Math.ceil(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/** Rows that finished (done or failed) out of those the run takes on. */
function runProgress(job: Job): string {
  const { done, failed, pending } = job.counts;
  const processed = done + failed;
  const parts = [`${processed}/${processed + pending} rows`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (job.rate !== null) parts.push(`${job.rate.toFixed(job.rate < 10 ? 1 : 0)} rows/s`);
  if (job.etaSeconds !== null) parts.push(`ETA ${minutesSeconds(job.etaSeconds)}`);
  return parts.join(', ');
}

/**
 * Prints a job's progress on stderr about once a second from the station's jobs.changed events.
 * A terminal gets one line rewritten in place; a log or a pipe gets a line per report.
 */
function watchProgress(station: Station, id: string, describe: (job: Job) => string): () => void {
  let latest: Job | undefined;
  let printed = '';
  const tty = process.stderr.isTTY;
  const print = () => {
    if (!latest) return;
    const text = describe(latest);
    if (text === printed) return;
    printed = text;
    process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
  };
  const unsubscribe = station.hub.subscribe((event) => {
    if (event.name === 'jobs.changed' && (event.payload as Job).id === id) latest = event.payload as Job;
  });
  const timer = setInterval(print, progressEveryMs);
  return () => {
    clearInterval(timer);
    unsubscribe();
    if (tty && printed !== '') process.stderr.write('\n');
  };
}

function describeJob(job: Job): string {
  const c = job.counts;
  return [
    `${job.id}  ${job.kind}  ${job.state}`,
    `  input:    ${job.inputName}`,
    `  rows:     ${c.total} total, ${c.done} done, ${c.failed} failed, ${c.pending} pending, ${c.invalid} invalid, ${c.skipped} skipped, ${c.cancelled} cancelled`,
    ...(job.keySource ? [`  keys:     ${job.keySource}${job.delivery ? `, delivered as ${job.delivery}` : ''}`] : []),
    ...(job.problem ? [`  problem:  ${job.problem.code} ${job.problem.message}`] : []),
    `  created:  ${job.createdAt} by ${job.createdBy}`,
    ...(job.startedAt ? [`  started:  ${job.startedAt}`] : []),
    ...(job.finishedAt ? [`  finished: ${job.finishedAt}`] : []),
  ].join('\n');
}

type Problem = { line: number; name: string; status: 'invalid' | 'failed'; code: string; message: string };

/** Every invalid, skipped or failed row, a page at a time; undefined when the call failed. */
async function allProblems(station: Station, ctx: CallContext, id: string): Promise<Problem[] | undefined> {
  const problems: Problem[] = [];
  for (let afterLine = 0; ;) {
    const page = unwrap<Problem[]>(
      await station.dispatch('jobs.problems', { id, afterLine, limit: problemsPageSize }, ctx),
    );
    if (!page) return undefined;
    problems.push(...page);
    const last = page.at(-1);
    if (!last || page.length < problemsPageSize) return problems;
    afterLine = last.line;
  }
}

const problemLine = (p: Problem) => `line ${p.line} (${printable(p.name)}): ${p.code} ${p.message}`;

interface RunFlags {
  out: string;
  json: boolean;
  skipInvalid: boolean;
  passcodeFile: string | undefined;
  /** Encrypts the result file under it (CMS, password recipient). */
  resultPasscode: string | undefined;
}

/** Starts the job and waits for its run to end; undefined when the station refused to start it. */
async function runToEnd(station: Station, ctx: CallContext, job: Job, flags: RunFlags): Promise<Job | undefined> {
  let passcode: string | undefined;
  if (job.delivery === 'pkcs12') {
    passcode = passcodeFrom(flags.passcodeFile);
    if (passcode === undefined) throw new UsageError(missingPasscode);
  } else if (flags.passcodeFile !== undefined) {
    throw new UsageError(`job ${job.id} does not deliver PKCS#12 files; it takes no --passcode-file`);
  }
  const started = unwrap<Job>(
    await station.dispatch(
      'jobs.start',
      { id: job.id, skipInvalid: flags.skipInvalid, ...(passcode === undefined ? {} : { passcode }) },
      ctx,
    ),
  );
  if (!started) return undefined;
  let stopping = false;
  const onInterrupt = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nStopping after the rows in flight (Ctrl-C again to quit at once)…\n');
    // Stopping the job service's work leaves the job interrupted, each row done or untouched.
    void station.jobs.close();
  };
  process.on('SIGINT', onInterrupt);
  const stopWatching = watchProgress(station, job.id, runProgress);
  try {
    return await station.jobs.settled(job.id);
  } finally {
    stopWatching();
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * Starts (or resumes) a job, shows its progress, and writes its result ZIP. A job that already
 * ended only has its result written again. Ctrl-C stops a run after the rows in flight, leaving
 * it interrupted so `job resume` takes it from there.
 */
async function startAndFinish(station: Station, ctx: CallContext, job: Job, flags: RunFlags): Promise<void> {
  const ended = job.state === 'completed' || job.state === 'cancelled';
  const settled = ended ? job : await runToEnd(station, ctx, job, flags);
  if (!settled) return;
  if (settled.state === 'interrupted') {
    if (flags.json) printResult(true, settled, '');
    process.stderr.write(
      `Job ${settled.id} stopped with ${settled.counts.pending} row(s) to go. ` +
        `Resume it: trustline job resume --id ${settled.id} --out ${flags.out}\n`,
    );
    process.exitCode = exitCodes.stationError;
    return;
  }
  await writeResultFile(station, ctx, settled.id, flags.out, flags.resultPasscode);
  const c = settled.counts;
  printResult(
    flags.json,
    settled,
    `Job ${settled.id} ${settled.state}: ${c.done} done, ${c.failed} failed, ${c.skipped} skipped` +
      `${c.cancelled > 0 ? `, ${c.cancelled} cancelled` : ''}. Result: ${flags.out}${encryptedNote(flags.resultPasscode)}`,
  );
  if (c.failed > 0) {
    const failed = (await allProblems(station, ctx, settled.id))?.filter((p) => p.status === 'failed') ?? [];
    for (const p of failed) process.stderr.write(`${problemLine(p)}\n`);
  }
  if (c.failed > 0 || settled.state !== 'completed') process.exitCode = exitCodes.stationError;
}

const encryptedNote = (passcode: string | undefined) =>
  passcode === undefined ? '' : ' (CMS under the result passcode: openssl cms -decrypt -pwri_password opens it)';

/**
 * Writes beside the target and renames, so a file at --out is always a whole result. With a
 * passcode the file is CMS EnvelopedData around the ZIP.
 */
async function writeResultFile(
  station: Station,
  ctx: CallContext,
  id: string,
  out: string,
  passcode: string | undefined,
): Promise<void> {
  const partial = `${out}.partial`;
  const file = createWriteStream(partial);
  try {
    await station.jobs.writeResult(id, file, ctx, undefined, passcode === undefined ? {} : { passcode });
    await finished(file);
    renameSync(partial, out);
  } catch (error) {
    file.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

export async function jobCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      ...dataOptions,
      ...keyStoreFlags,
      kind: { type: 'string' },
      group: { type: 'string' },
      policy: { type: 'string' },
      input: { type: 'string' },
      'key-source': { type: 'string' },
      'key-type': { type: 'string' },
      recipient: { type: 'string' },
      'passcode-file': { type: 'string' },
      'result-passcode-file': { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      out: { type: 'string' },
      id: { type: 'string' },
    },
  });
  const kind = oneOf<JobKind>('--kind', values.kind, jobKinds);
  const keySourceFlag = oneOf<JobKeySource>('--key-source', values['key-source'], jobKeySources);
  const keyType = oneOf<StationKeyType>('--key-type', values['key-type'], stationKeyTypes);
  const run = { keyStore: keyStoreOptions(values['pin-file']) };

  switch (sub) {
    case 'template': {
      if (!kind || !values.out) throw new UsageError('job template needs --kind KIND and --out FILE.csv');
      checkWritableFolder('--out', values.out);
      const out = values.out;
      return withLocalStation(values.data, async (station, ctx) => {
        const policy = values.policy === undefined ? null : await resolvePolicy(station, ctx, values.policy);
        if (policy === undefined) return;
        const template = unwrap<{ filename: string; csv: string }>(
          await station.dispatch(
            'jobs.template',
            {
              kind,
              ...(policy ? { policyId: policy.id } : {}),
              ...(keySourceFlag ? { keySource: keySourceFlag } : {}),
            },
            ctx,
          ),
        );
        if (!template) return;
        writeFileSync(out, template.csv);
        printResult(
          values.json,
          { file: out, columns: template.csv.trim().split(',') },
          `${out}: ${template.csv.trim()}`,
        );
      });
    }

    case 'run': {
      if (!kind || !values.input || !values.out) {
        throw new UsageError('job run needs --kind KIND, --input FILE and --out RESULT.zip');
      }
      const { input, out } = values;
      checkReadable('--input', input);
      checkWritableFolder('--out', out);
      const options = jobOptions(kind, input, {
        keySource: keySourceFlag,
        keyType,
        recipient: values.recipient,
        passcodeFile: values['passcode-file'],
        group: values.group,
        policy: values.policy,
      });
      // Read now, so a missing passcode fails before the input is checked, not after.
      if (options.delivery === 'pkcs12' && passcodeFrom(values['passcode-file']) === undefined) {
        throw new UsageError(missingPasscode);
      }
      const resultPasscode = resultPasscodeFrom(values['result-passcode-file']);
      return withLocalStation(
        values.data,
        async (station, ctx) => {
          const groupId =
            values.group === undefined
              ? undefined
              : resolveNamed<DeviceGroup>(
                  await station.dispatch('deviceGroups.list', {}, ctx),
                  values.group,
                  'device group',
                  'trustline groups list',
                )?.id;
          if (values.group !== undefined && groupId === undefined) return;
          const policy = values.policy === undefined ? undefined : await resolvePolicy(station, ctx, values.policy);
          if (values.policy !== undefined && policy === undefined) return;
          const uploadId = await station.jobs.stageFile(input);
          const created = unwrap<Job>(
            await station.dispatch(
              'jobs.create',
              {
                uploadId,
                inputName: path.basename(input),
                options: {
                  ...options,
                  ...(groupId === undefined ? {} : { groupId }),
                  ...(policy ? { policyId: policy.id } : {}),
                },
              },
              ctx,
            ),
          );
          if (!created) return;
          const stopWatching = watchProgress(station, created.id, (j) => `checked ${j.counts.total} rows`);
          let validated: Job;
          try {
            validated = await station.jobs.settled(created.id);
          } finally {
            stopWatching();
          }
          if (validated.state === 'rejected') {
            if (values.json) printResult(true, validated, '');
            const problem = validated.problem ?? { code: 'JOB_INPUT_INVALID', message: 'The input was rejected.' };
            process.stderr.write(`error ${problem.code}: ${input}: ${problem.message}\n`);
            process.exitCode = exitCodes.stationError;
            return;
          }
          process.stderr.write(
            `checked ${validated.counts.total} rows: ${validated.counts.pending} to run, ${validated.counts.invalid} invalid (job ${validated.id})\n`,
          );
          if (validated.counts.invalid > 0 && !values['skip-invalid']) {
            const problems = await allProblems(station, ctx, validated.id);
            if (!problems) return;
            for (const p of problems) process.stderr.write(`${problemLine(p)}\n`);
            if (values.json) printResult(true, validated, '');
            process.stderr.write(
              `${validated.counts.invalid} row(s) did not pass the checks, so the job was not started. Fix them and run again, ` +
                `or issue the other rows with --skip-invalid (or: trustline job resume --id ${validated.id} --skip-invalid --out ${out}).\n`,
            );
            process.exitCode = exitCodes.stationError;
            return;
          }
          await startAndFinish(station, ctx, validated, {
            out,
            json: values.json,
            skipInvalid: values['skip-invalid'],
            passcodeFile: values['passcode-file'],
            resultPasscode,
          });
        },
        run,
      );
    }

    case 'resume': {
      if (!values.id || !values.out) throw new UsageError('job resume needs --id ID and --out RESULT.zip');
      const { id, out } = values;
      checkWritableFolder('--out', out);
      const resultPasscode = resultPasscodeFrom(values['result-passcode-file']);
      return withLocalStation(
        values.data,
        async (station, ctx) => {
          const job = unwrap<Job>(await station.dispatch('jobs.get', { id }, ctx));
          if (!job) return;
          await startAndFinish(station, ctx, job, {
            out,
            json: values.json,
            skipInvalid: values['skip-invalid'],
            passcodeFile: values['passcode-file'],
            resultPasscode,
          });
        },
        run,
      );
    }

    case 'result': {
      if (!values.id || !values.out) throw new UsageError('job result needs --id ID and --out FILE');
      const { id, out } = values;
      checkWritableFolder('--out', out);
      const resultPasscode = resultPasscodeFrom(values['result-passcode-file']);
      return withLocalStation(values.data, async (station, ctx) => {
        const job = unwrap<Job>(await station.dispatch('jobs.get', { id }, ctx));
        if (!job) return;
        if (job.state !== 'completed' && job.state !== 'cancelled') {
          process.stderr.write(
            `Job ${job.id} is ${job.state}; its result is written once it has ended (trustline job resume --id ${job.id} --out ${out}).\n`,
          );
          process.exitCode = exitCodes.stationError;
          return;
        }
        await writeResultFile(station, ctx, job.id, out, resultPasscode);
        printResult(values.json, job, `Job ${job.id} ${job.state}. Result: ${out}${encryptedNote(resultPasscode)}`);
      });
    }

    case 'list':
      return withLocalStation(values.data, async (station, ctx) => {
        const jobs = unwrap<Job[]>(await station.dispatch('jobs.list', {}, ctx));
        if (!jobs) return;
        printList(
          values.json,
          jobs,
          'No batch jobs yet: trustline job run …',
          ['ID', 'KIND', 'STATE', 'INPUT', 'DONE', 'FAILED', 'INVALID', 'TOTAL', 'CREATED'],
          (j) => [
            j.id,
            j.kind,
            j.state,
            j.inputName,
            String(j.counts.done),
            String(j.counts.failed),
            String(j.counts.invalid + j.counts.skipped),
            String(j.counts.total),
            j.createdAt,
          ],
        );
      });

    case 'show': {
      if (!values.id) throw new UsageError('job show needs --id ID');
      const id = values.id;
      return withLocalStation(values.data, async (station, ctx) => {
        const job = unwrap<Job>(await station.dispatch('jobs.get', { id }, ctx));
        if (!job) return;
        const problems = await allProblems(station, ctx, id);
        if (!problems) return;
        printResult(
          values.json,
          { ...job, problems },
          [
            describeJob(job),
            ...(problems.length > 0 ? ['  problems:'] : []),
            ...problems.map((p) => `    ${problemLine(p)}`),
          ].join('\n'),
        );
      });
    }

    case 'cancel': {
      if (!values.id) throw new UsageError('job cancel needs --id ID');
      const id = values.id;
      return withLocalStation(values.data, async (station, ctx) => {
        const job = unwrap<Job>(await station.dispatch('jobs.cancel', { id }, ctx));
        if (!job) return;
        printResult(
          values.json,
          job,
          job.state === 'running'
            ? `Job ${job.id} runs in another process (trustline serve or the desktop app): asked it to cancel; ` +
                'the rows it has not reached will be cancelled within seconds (trustline job show --id to follow)'
            : `Job ${job.id} ${job.state}: ${job.counts.cancelled} row(s) cancelled`,
        );
      });
    }

    default:
      throw new UsageError(`unknown job command "${sub ?? ''}"`);
  }
}

/**
 * The job's options from the flags, before the station is opened: every contradiction is a usage
 * error. --recipient means station-made keys sealed as CMS to it; --passcode-file means
 * station-made keys in PKCS#12 files; otherwise the keys come from the input.
 */
function jobOptions(
  kind: JobKind,
  input: string,
  flags: {
    keySource: JobKeySource | undefined;
    keyType: StationKeyType | undefined;
    recipient: string | undefined;
    passcodeFile: string | undefined;
    group: string | undefined;
    policy: string | undefined;
  },
): Omit<JobOptions, 'groupId' | 'policyId'> {
  if (flags.recipient !== undefined && flags.passcodeFile !== undefined) {
    throw new UsageError('give either --recipient CERT.pem (CMS) or --passcode-file FILE (PKCS#12), not both');
  }
  const stationKeys = flags.recipient !== undefined || flags.passcodeFile !== undefined;
  if (kind === 'register-devices') {
    if (stationKeys || flags.keySource || flags.keyType || flags.policy !== undefined) {
      throw new UsageError('job run --kind register-devices takes no --policy or key options');
    }
    if (flags.group === undefined) throw new UsageError('job run --kind register-devices needs --group NAME');
    return { kind, stationKeyType: 'EC-P256' };
  }
  if (flags.policy === undefined) throw new UsageError(`job run --kind ${kind} needs --policy NAME`);
  if (kind === 'certificates-managed' && flags.group === undefined) {
    throw new UsageError('job run --kind certificates-managed needs --group NAME');
  }
  if (kind === 'certificates-unmanaged' && flags.group !== undefined) {
    throw new UsageError('unmanaged certificates belong to no group; leave out --group');
  }
  const keySource = flags.keySource ?? (stationKeys ? 'station' : input.toLowerCase().endsWith('.zip') ? 'zip' : 'csv');
  if (stationKeys && keySource !== 'station') {
    throw new UsageError('--recipient and --passcode-file are for station-made keys (--key-source station)');
  }
  if (flags.keyType !== undefined && keySource !== 'station') {
    throw new UsageError('--key-type is for station-made keys (--key-source station)');
  }
  const base = { kind, keySource, stationKeyType: flags.keyType ?? 'EC-P256' } as const;
  if (keySource !== 'station') return base;
  if (flags.recipient !== undefined) {
    checkReadable('--recipient', flags.recipient);
    return { ...base, delivery: 'cms', recipientPem: readFileSync(flags.recipient, 'utf8') };
  }
  // Without a recipient, station-made keys travel in PKCS#12 files under a passcode.
  return { ...base, delivery: 'pkcs12' };
}
