import type { Database } from 'better-sqlite3';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { caChain, getCaRow } from '../ca/cas.repo';
import { createPasswordEnvelopeStream } from '../pki/cms-password-envelope';
import { toPem } from '../pki/pem';
import { csvRecord } from '../reports/csv';
import { statement } from '../store/statements';
import { jobRowsPage, type StoredJob } from './jobs.repo';
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
  if (safe === '' || taken.has(safe.toLowerCase())) safe = `${safe}-line${line}`;
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
  options: { passcode?: string } = {},
): Promise<{ rows: number }> {
  if (options.passcode === undefined) return writeResultZip(db, job, out);
  const envelope = await createPasswordEnvelopeStream(options.passcode);
  // A failure while zipping must tear the envelope (and so `out`) down, not leave it waiting.
  const zipping = writeResultZip(db, job, envelope).catch((error: unknown) => {
    envelope.destroy(error as Error);
    throw error;
  });
  const [result] = await Promise.all([zipping, pipeline(envelope, out)]);
  return result;
}

/**
 * The job's result as a ZIP streamed to `out`: per done row a folder with certificate.pem,
 * chain.pem and, for station-made keys, key.p7m or key.p12; results.csv and results.json with
 * every row's status and error. Rows are read a page at a time.
 */
async function writeResultZip(db: Database, job: StoredJob, out: Writable): Promise<{ rows: number }> {
  const zip = new ZipWriter(out);
  const certificate = statement(db, 'SELECT serial, der, ca_id FROM certificates WHERE id = ?');
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
  const csv: string[] = [csvRecord([...csvColumns])];
  const json: string[] = [];
  let afterLine = 0;
  for (;;) {
    const rows = jobRowsPage(db, job.id, { afterLine, limit: 1000 });
    const last = rows.at(-1);
    if (!last) break;
    afterLine = last.line;
    for (const row of rows) {
      const cert = row.certificateId
        ? (certificate.get(row.certificateId) as { serial: string; der: Buffer; ca_id: string } | undefined)
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
      json.push(JSON.stringify(entry));
      if (!cert) continue;
      const folder = folderName(row.name, row.line, taken);
      await zip.add(`${folder}/certificate.pem`, Buffer.from(toPem('CERTIFICATE', cert.der)));
      await zip.add(`${folder}/chain.pem`, chainOf(cert.ca_id));
      if (row.sealedKey && keyExtension) {
        await zip.add(`${folder}/key.${keyExtension}`, row.sealedKey, { compress: false });
      }
    }
  }
  await zip.add('results.csv', Buffer.from(csv.join('')));
  await zip.add('results.json', Buffer.from(`[\n${json.join(',\n')}\n]\n`));
  await zip.finish();
  return { rows: json.length };
}
