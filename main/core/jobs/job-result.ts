import type { Database } from 'better-sqlite3';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { caChain, getCaRow } from '../ca/cas.repo';
import { createPasswordEnvelopeStream } from '../pki/cms-password-envelope';
import { toPem } from '../pki/pem';
import { csvRecord } from '../reports/csv';
import { jobResultPage, type StoredJob } from './jobs.repo';
import { sealedKeyExtension } from './key-sealer';
import { ZipWriter } from './zip-writer';

interface ResultEntry {
  line: number;
  deviceName: string;
  status: string;
  deviceId: string | null;
  certificateId: string | null;
  certificateSerial: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

const csvColumns: readonly (keyof ResultEntry)[] = [
  'line',
  'deviceName',
  'status',
  'deviceId',
  'certificateId',
  'certificateSerial',
  'errorCode',
  'errorMessage',
];

/** A device name as a folder name: no separators, no control characters, no dot-only names. */
function folderName(name: string, line: number, taken: Set<string>): string {
  let safe = name.replace(/[/\\\p{Cc}:*?"<>|]/gu, '_').replace(/^\.+$/, '_');
  if (safe === '' || taken.has(safe.toLowerCase())) {
    // Unique whatever the other rows are called (a row may itself be named "x-line7").
    const base = `${safe}-line${line}`;
    safe = base;
    for (let n = 2; taken.has(safe.toLowerCase()); n += 1) safe = `${base}-${n}`;
  }
  taken.add(safe.toLowerCase());
  return safe;
}

/** The name a result file is offered under: a passcode makes it CMS around the ZIP. */
export function resultFileName(jobId: string, encrypted: boolean): string {
  return encrypted ? `trustline-job-${jobId}-result.zip.p7m` : `trustline-job-${jobId}.zip`;
}

/**
 * The job's result streamed to `out`: the ZIP itself, or with a passcode the ZIP inside CMS
 * EnvelopedData under that passcode (a PasswordRecipientInfo), encrypted as it streams so no
 * more than a piece of it is ever in memory. The caller has checked the passcode's length.
 */
export async function writeJobResult(
  db: Database,
  job: StoredJob,
  out: Writable,
  options: {
    passcode?: string;
    workDir?: string;
    /** Called once every entry is written, before the stream ends: what must be on record by the time the reader has it all. */
    beforeEnd?: (rows: number) => void;
  } = {},
): Promise<{ rows: number }> {
  const workDir = options.workDir ?? os.tmpdir();
  const beforeEnd = options.beforeEnd ?? (() => undefined);
  if (options.passcode === undefined) return writeResultZip(db, job, out, workDir, beforeEnd);
  const envelope = await createPasswordEnvelopeStream(options.passcode);
  // A failure while zipping must tear the envelope (and so `out`) down, not leave it waiting.
  const zipping = writeResultZip(db, job, envelope, workDir, beforeEnd).catch((error: unknown) => {
    envelope.destroy(error as Error);
    throw error;
  });
  const [result] = await Promise.all([zipping, pipeline(envelope, out)]);
  return result;
}

/** A text file written a page at a time: what the ZIP takes back as one entry at the end. */
async function spool(file: string) {
  const handle = await open(file, 'wx', 0o600);
  return {
    // Each piece at the file's current position, after the one before (writeFile loops on short writes).
    write: (text: string) => handle.writeFile(text, 'utf8'),
    close: () => handle.close(),
    /** The file's content, a piece at a time. */
    read: () => createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>,
  };
}

/**
 * The job's result as a ZIP streamed to `out`: per done row a folder with certificate.pem,
 * chain.pem and, for station-made keys, key.p7m or key.p12; results.csv and results.json with
 * every row's status and error. Rows are read a page at a time; the two listings are spooled to
 * files in `workDir` as the rows go (they hold names, IDs and errors, never a key) and streamed
 * into the ZIP at the end, so memory does not grow with the job. Both listings are written in the
 * same pass as the folders, so they describe exactly the rows the folders were made from.
 */
async function writeResultZip(
  db: Database,
  job: StoredJob,
  out: Writable,
  workDir: string,
  beforeEnd: (rows: number) => void,
): Promise<{ rows: number }> {
  await mkdir(workDir, { recursive: true });
  const temp = await mkdtemp(path.join(workDir, 'result-'));
  try {
    return await writeResultZipVia(db, job, out, temp, beforeEnd);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function writeResultZipVia(
  db: Database,
  job: StoredJob,
  out: Writable,
  temp: string,
  beforeEnd: (rows: number) => void,
): Promise<{ rows: number }> {
  // Every name is unique by construction: folderName() makes each folder unique (and keeps
  // results.csv and results.json free), and each folder holds fixed file names.
  const zip = new ZipWriter(out, { namesUnique: true, centralDirectoryFile: path.join(temp, 'central-directory') });
  const chains = new Map<string, Buffer>();
  const chainOf = (caId: string) => {
    let pem = chains.get(caId);
    if (!pem) {
      pem = Buffer.from(
        caChain(getCaRow(db, caId, 'job-result'))
          .map((c) => toPem('CERTIFICATE', c.der))
          .join(''),
      );
      chains.set(caId, pem);
    }
    return pem;
  };
  const keyExtension = job.options.delivery ? sealedKeyExtension[job.options.delivery] : null;
  const taken = new Set<string>(['results.csv', 'results.json']);
  const csvFile = await spool(path.join(temp, 'results.csv'));
  const jsonFile = await spool(path.join(temp, 'results.json'));
  let count: number;
  try {
    await csvFile.write(csvRecord([...csvColumns]));
    await jsonFile.write('[\n');
    count = await writeRows();
    await jsonFile.write('\n]\n');
  } finally {
    await Promise.all([csvFile.close(), jsonFile.close()]);
  }
  await zip.addStream('results.csv', csvFile.read());
  await zip.addStream('results.json', jsonFile.read());
  beforeEnd(count);
  await zip.finish();
  return { rows: count };

  async function writeRows(): Promise<number> {
    let rowsWritten = 0;
    let afterLine = 0;
    for (;;) {
      const rows = jobResultPage(db, job.id, afterLine, 250);
      const last = rows.at(-1);
      if (!last) break;
      afterLine = last.line;
      const csv: string[] = [];
      const json: string[] = [];
      for (const row of rows) {
        const cert =
          row.certificateDer && row.caId && row.certificateSerial
            ? { serial: row.certificateSerial, der: row.certificateDer, ca_id: row.caId }
            : undefined;
        const entry: ResultEntry = {
          line: row.line,
          deviceName: row.name,
          status: row.status,
          deviceId: row.deviceId,
          certificateId: row.certificateId,
          certificateSerial: cert?.serial ?? null,
          errorCode: row.errorCode,
          errorMessage: row.errorMessage,
        };
        csv.push(csvRecord(csvColumns.map((c) => (entry[c] === null ? null : String(entry[c])))));
        json.push(`${rowsWritten === 0 && json.length === 0 ? '' : ',\n'}${JSON.stringify(entry)}`);
        if (!cert) continue;
        const folder = folderName(row.name, row.line, taken);
        await zip.add(`${folder}/certificate.pem`, Buffer.from(toPem('CERTIFICATE', cert.der)));
        await zip.add(`${folder}/chain.pem`, chainOf(cert.ca_id), { repeated: true });
        if (row.sealedKey && keyExtension) {
          await zip.add(`${folder}/key.${keyExtension}`, row.sealedKey, { compress: false });
        }
      }
      rowsWritten += rows.length;
      await csvFile.write(csv.join(''));
      await jsonFile.write(json.join(''));
    }
    return rowsWritten;
  }
}
