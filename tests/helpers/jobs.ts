import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CallContext } from '../../main/core/api/call-context';
import type { Station } from '../../main/core/station';
import type { Job, JobOptions } from '../../preload/contract';
import { admin, call, makeCsr, openssl } from './pki';

/** Stages a file, creates the job, and waits for its validation to end. */
export async function createJob(
  station: Station,
  file: string,
  options: Partial<JobOptions> & Pick<JobOptions, 'kind'>,
  ctx: CallContext = admin,
): Promise<Job> {
  const uploadId = await station.jobs.stageFile(file);
  const created = await call(
    station,
    'jobs.create',
    { uploadId, inputName: path.basename(file), options: { stationKeyType: 'EC-P256', ...options } },
    ctx,
  );
  return station.jobs.settled(created.id);
}

export async function runJob(
  station: Station,
  id: string,
  input: { skipInvalid?: boolean; passcode?: string } = {},
): Promise<Job> {
  await call(station, 'jobs.start', { id, skipInvalid: input.skipInvalid ?? false, ...input });
  return station.jobs.settled(id);
}

/** The job's result ZIP on disk, unpacked into `dir`/result. */
export async function unpackResult(station: Station, id: string, dir: string): Promise<string> {
  const zipFile = path.join(dir, `${id}.zip`);
  await station.jobs.writeResult(id, createWriteStream(zipFile), admin);
  // The result thread's file and the listings' folder are gone once the result is out.
  const jobFolder = path.join(station.dataDir, 'jobs', id);
  const left = existsSync(jobFolder) ? readdirSync(jobFolder).filter((name) => name.startsWith('result-')) : [];
  assert.deepEqual(left, [], 'temporary result files left behind');
  const out = path.join(dir, 'result');
  mkdirSync(out, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zipFile, '-d', out]);
  return out;
}

/**
 * A passcode-protected result (CMS EnvelopedData around the ZIP) opened as the README tells its
 * recipient: `openssl cms -decrypt -binary -inform DER -pwri_password`, then unzipped into
 * `dir`/`name`. Throws with openssl's message when it cannot open it.
 */
export function openEncryptedResult(p7mFile: string, passcode: string, dir: string, name = 'opened'): string {
  const zipFile = path.join(dir, `${name}.zip`);
  openssl([
    ...['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', p7mFile],
    ...['-pwri_password', passcode, '-out', zipFile],
  ]);
  const out = path.join(dir, name);
  mkdirSync(out, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zipFile, '-d', out]);
  return out;
}

/** The job's result written under `passcode` to `dir`/<id>-result.zip.p7m, opened and unpacked into `dir`/result. */
export async function unpackEncryptedResult(
  station: Station,
  id: string,
  dir: string,
  passcode: string,
): Promise<{ p7mFile: string; folder: string }> {
  const p7mFile = path.join(dir, `${id}-result.zip.p7m`);
  await station.jobs.writeResult(id, createWriteStream(p7mFile), admin, undefined, { passcode });
  return { p7mFile, folder: openEncryptedResult(p7mFile, passcode, dir, 'result') };
}

/** A CSV of `count` rows with device-made CSRs (P-256), serial attribute for tls-client's CN. */
export function csrCsv(dir: string, count: number, name = 'batch.csv'): string {
  const lines = ['device_name,csr,attr.serial'];
  for (let i = 1; i <= count; i += 1) {
    const { csrPem } = makeCsr(dir, `dev-${i}`, 'P-256');
    lines.push(`dev-${i},"${csrPem.trim()}",SN${String(i).padStart(6, '0')}`);
  }
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

export function assertCounts(job: Job, expected: Partial<Job['counts']>): void {
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, job.counts[k as keyof Job['counts']]]));
  assert.deepEqual(picked, expected, JSON.stringify(job));
}

/**
 * A result folder's CMS-sealed key opened with openssl as its recipient, written beside it as
 * key.pem, with the public key it holds and the one its certificate names.
 */
export function openSealedKey(
  folder: string,
  recipient: { certFile: string; keyFile: string },
): { keyPem: string; keyPublic: string; certificatePublic: string } {
  const keyPem = openssl([
    ...['cms', '-decrypt', '-inform', 'DER', '-in', path.join(folder, 'key.p7m')],
    ...['-recip', recipient.certFile, '-inkey', recipient.keyFile],
  ]);
  const keyFile = path.join(folder, 'key.pem');
  writeFileSync(keyFile, keyPem);
  return {
    keyPem,
    keyPublic: openssl(['pkey', '-in', keyFile, '-pubout']),
    certificatePublic: openssl(['x509', '-in', path.join(folder, 'certificate.pem'), '-noout', '-pubkey']),
  };
}
